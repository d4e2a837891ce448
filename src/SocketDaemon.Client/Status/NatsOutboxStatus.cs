namespace SocketDaemon.Client.Status;

/// <summary>One NATS outbox (a server and stream that <c>Nats</c> steps publish to): what waits for JetStream.</summary>
public sealed class NatsOutboxStatus
{
    /// <summary>The NATS server.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The JetStream stream.</summary>
    public string Stream { get; set; } = string.Empty;

    /// <summary>The spool directory that holds the messages until JetStream acknowledges them.</summary>
    public string Spool { get; set; } = string.Empty;

    /// <summary>Messages taken and not yet acknowledged by JetStream (those a crash left included).</summary>
    public long Pending { get; set; }

    /// <summary>The size of the spool's files, to compare with <c>Nats:SpoolMaxBytes</c>.</summary>
    public long SpoolBytes { get; set; }
}
