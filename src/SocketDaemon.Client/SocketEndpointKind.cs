namespace SocketDaemon.Client;

/// <summary>The transport an endpoint string names.</summary>
public enum SocketEndpointKind
{
    /// <summary>A Unix domain stream socket: <c>unix:/path</c> or <c>unix:@abstract</c>.</summary>
    Unix,

    /// <summary>A TCP socket: <c>tcp://host:port</c>.</summary>
    Tcp,
}
