namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// What a chunk of lines proves once it is in the file: its sender (a native-protocol session) has logged every
/// message up to <see cref="Position"/>. The chunk carries it to the <see cref="MessageLogWriter"/>, which alone learns
/// where the chunk lands, and records it in the sender's <see cref="ILogClaimJournal"/> before it writes the chunk:
/// so the lines and the position move together, whenever the daemon is killed.
/// </summary>
/// <remarks>
/// The journal's owner makes claims (<see cref="LogProgress"/>); the writer fills in <see cref="Path"/>,
/// <see cref="Start"/> and <see cref="End"/> and sets <see cref="Written"/> once its write returned.
/// </remarks>
public abstract class LogClaim(ILogClaimJournal journal, ulong position)
{
    /// <summary>Where the claim is recorded.</summary>
    public ILogClaimJournal Journal { get; } = journal;

    /// <summary>Every message of the sender numbered up to this is logged once the chunk is in the file.</summary>
    public ulong Position { get; } = position;

    /// <summary>The file the chunk's last byte went to.</summary>
    public string? Path { get; private set; }

    /// <summary>Where the chunk (its part in <see cref="Path"/>, when a roll cut it) begins.</summary>
    public long Start { get; private set; }

    /// <summary>Just past the chunk's last byte: the file must be at least this long for the claim to hold.</summary>
    public long End { get; private set; }

    /// <summary>Whether the write of the chunk returned: the lines are in the file (in the kernel, or on disk after a commit).</summary>
    public bool Written { get; private set; }

    /// <summary>Whether the chunk missed the file (it waits in the log's spool, or was given up): the claim does not hold.</summary>
    public bool Missed { get; private set; }

    internal void Locate(string path, long start, long end)
    {
        Path = path;
        Start = start;
        End = end;
    }

    internal void MarkWritten() => Written = true;

    internal void MarkMissed() => Missed = true;
}
