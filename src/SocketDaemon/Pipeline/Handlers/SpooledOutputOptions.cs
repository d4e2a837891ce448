namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// What every spooled output (<c>Forward</c>, <c>Syslog</c>, <c>Postgres</c>) is made with beside its own settings:
/// when a message counts as committed, its batches, and its spool (<see cref="SpooledOutputHandler"/>).
/// </summary>
public abstract record SpooledOutputOptions
{
    /// <summary><see langword="true"/> for <c>Acknowledge: downstream</c>, <see langword="false"/> for <c>local</c>.</summary>
    public bool Downstream { get; init; }

    /// <summary>The most messages in one batch.</summary>
    public int BatchSize { get; init; }

    /// <summary>The spool directory.</summary>
    public string Spool { get; init; } = string.Empty;

    /// <summary>The most the spool may hold.</summary>
    public long SpoolMaxBytes { get; init; }

    /// <summary>Whether a spooled message is on disk (rather than in the kernel) before it counts, as <c>Durability: fsync</c> asks.</summary>
    public bool Fsync { get; init; }
}
