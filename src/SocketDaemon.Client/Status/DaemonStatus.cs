namespace SocketDaemon.Client.Status;

/// <summary>What <c>GET /status</c> and <see cref="SocketDaemonClient.GetStatusAsync"/> report.</summary>
public sealed class DaemonStatus
{
    /// <summary>The daemon's version.</summary>
    public string Version { get; set; } = string.Empty;

    /// <summary>The daemon's process id.</summary>
    public int ProcessId { get; set; }

    /// <summary>When the daemon started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Seconds since the daemon started.</summary>
    public double UptimeSeconds { get; set; }

    /// <summary>The bound listeners.</summary>
    public List<ListenerStatus> Listeners { get; set; } = [];

    /// <summary>The open stream connections, with who is on the other end.</summary>
    public List<ConnectionStatus> Connections { get; set; } = [];

    /// <summary>Each <c>Forward</c> pipeline step: its spool and upstreams.</summary>
    public List<ForwardStatus> Forwards { get; set; } = [];

    /// <summary>Each NATS outbox <c>Nats</c> steps publish through: what waits in its spool.</summary>
    public List<NatsOutboxStatus> NatsOutboxes { get; set; } = [];

    /// <summary>The sums over all listeners.</summary>
    public StatusCounters Totals { get; set; } = new();
}
