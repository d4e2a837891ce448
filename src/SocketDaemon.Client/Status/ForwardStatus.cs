namespace SocketDaemon.Client.Status;

/// <summary>One <c>Forward</c> pipeline step in a <see cref="DaemonStatus"/>: its spool and its upstreams.</summary>
public sealed class ForwardStatus
{
    /// <summary>The spool directory, which names the step (each Forward step has its own).</summary>
    public string Spool { get; set; } = string.Empty;

    /// <summary>The configured upstreams.</summary>
    public List<string> Upstreams { get; set; } = [];

    /// <summary>How many upstreams are connected now; 0 means messages only wait in the spool.</summary>
    public int UpstreamsConnected { get; set; }

    /// <summary>Messages written to the spool since the daemon started.</summary>
    public long Spooled { get; set; }

    /// <summary>Messages an upstream acknowledged since the daemon started.</summary>
    public long Forwarded { get; set; }

    /// <summary>Messages in the spool an upstream has not acknowledged yet (those a crash left included).</summary>
    public long Pending { get; set; }

    /// <summary>Messages the destination refused and the step dropped since the daemon started (a <c>Postgres</c> step's rows a constraint refused).</summary>
    public long Failed { get; set; }

    /// <summary>Why the destination cannot be written now, or <see langword="null"/> while it can (a <c>Postgres</c> step's database).</summary>
    public string? Problem { get; set; }

    /// <summary>The size of the spool's segment files, to compare with <c>SpoolMaxBytes</c>.</summary>
    public long SpoolBytes { get; set; }
}
