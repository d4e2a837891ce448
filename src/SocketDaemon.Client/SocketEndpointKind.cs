namespace SocketDaemon.Client;

/// <summary>The transport an endpoint string names.</summary>
public enum SocketEndpointKind
{
    /// <summary>A Unix domain stream socket: <c>unix:/path</c> or <c>unix:@abstract</c>.</summary>
    Unix,

    /// <summary>A TCP socket: <c>tcp://host:port</c>.</summary>
    Tcp,

    /// <summary>A Unix domain datagram socket: <c>unixgram:/path</c> or <c>unixgram:@abstract</c>. Listeners only.</summary>
    UnixDatagram,

    /// <summary>A UDP socket: <c>udp://host:port</c>. Listeners only.</summary>
    Udp,

    /// <summary>A NATS server: <c>nats://host:port</c>. Listeners only: a JetStream consumer the daemon reads.</summary>
    Nats,
}
