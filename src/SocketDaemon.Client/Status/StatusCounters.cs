namespace SocketDaemon.Client.Status;

/// <summary>Counters since the daemon started.</summary>
public class StatusCounters
{
    /// <summary>Connections accepted.</summary>
    public long Connections { get; set; }

    /// <summary>Connections open now.</summary>
    public long OpenConnections { get; set; }

    /// <summary>Messages read.</summary>
    public long Messages { get; set; }

    /// <summary>Message bytes read, without framing.</summary>
    public long Bytes { get; set; }

    /// <summary>Connections closed or messages refused for bad input, limits or timeouts.</summary>
    public long Errors { get; set; }

    /// <summary><see cref="Errors"/> by reason, such as <c>oversize</c> or <c>truncated</c>.</summary>
    public Dictionary<string, long> ErrorsByReason { get; set; } = [];
}
