namespace SocketDaemon.Client.Status;

/// <summary>One open stream connection in a <see cref="DaemonStatus"/>.</summary>
public sealed class ConnectionStatus
{
    /// <summary>The connection's id, as the log writes it after <c>#</c>.</summary>
    public long Id { get; set; }

    /// <summary>The listener it came in on.</summary>
    public string Listener { get; set; } = string.Empty;

    /// <summary>The peer as the log writes it.</summary>
    public string Peer { get; set; } = string.Empty;

    /// <summary>The peer's process id, on Unix sockets.</summary>
    public int? ProcessId { get; set; }

    /// <summary>The peer's user id, on Unix sockets.</summary>
    public uint? UserId { get; set; }

    /// <summary>The peer's group id, on Unix sockets.</summary>
    public uint? GroupId { get; set; }

    /// <summary>The peer's process name, on Unix sockets.</summary>
    public string? ProcessName { get; set; }

    /// <summary>The subject of the client certificate the peer showed, on a TLS listener.</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>On a <c>ProxyProtocol</c> listener, the load balancer that connected (the peer is the source its header named).</summary>
    public string? Proxy { get; set; }

    /// <summary>What the connection speaks, once detected.</summary>
    public string Framing { get; set; } = string.Empty;

    /// <summary>Messages read on it.</summary>
    public long Messages { get; set; }

    /// <summary>When it was accepted.</summary>
    public DateTimeOffset OpenedAt { get; set; }
}
