namespace SocketDaemon.Connections;

/// <summary>Who shares a rate limit's bucket.</summary>
public enum RateLimitScope
{
    /// <summary>Each peer (a uid on Unix sockets, an IP address on TCP) has its own bucket on the listener.</summary>
    Peer,

    /// <summary>All the listener's connections share one bucket.</summary>
    Listener,
}
