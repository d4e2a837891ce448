namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// How far a batch of numbered messages (a native-protocol session's) has gone through the pipeline, so that each chunk
/// of its lines handed to a writer can carry a <see cref="LogClaim"/>: every message before the one running now is
/// done, up to the first that failed (it and what follows will be sent again).
/// </summary>
/// <remarks>Used by one connection at a time; not thread-safe.</remarks>
public sealed class LogProgress(Func<ulong, LogClaim?> claim)
{
    private ulong _first;
    private int _current;
    private int _failed;

    /// <summary>A new batch whose first message is numbered <paramref name="first"/>.</summary>
    public void Begin(ulong first)
    {
        _first = first;
        _current = 0;
        _failed = int.MaxValue;
    }

    /// <summary>The message at <paramref name="index"/> runs now: every one before it is done.</summary>
    public void At(int index) => _current = index;

    /// <summary>The message at <paramref name="index"/> was not taken: no claim reaches it.</summary>
    public void Failed(int index) => _failed = Math.Min(_failed, index);

    /// <summary>
    /// The claim for lines handed over now, or <see langword="null"/> when no message is done yet (or the claim adds
    /// nothing to what the sender's position says).
    /// </summary>
    public LogClaim? Claim()
    {
        var done = Math.Min(_current, _failed);
        return done <= 0 ? null : claim(_first + (ulong)done - 1);
    }
}
