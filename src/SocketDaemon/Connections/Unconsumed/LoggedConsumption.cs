using System.Buffers;
using System.IO.Pipelines;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Transport;

namespace SocketDaemon.Connections.Unconsumed;

/// <summary>
/// A raw-framing connection in systemd's store whose bytes leave the socket only once their lines are in the log
/// (<c>Systemd:ConsumeWhenLogged</c>): after each read, the lines of its whole frames go to the log with a claim
/// (<see cref="UnconsumedClaim"/>), the log commits, and only then do those bytes leave the socket. A kill at any point
/// leaves every byte not yet logged in the socket, which the store keeps for the next run, and the claim tells that
/// run which logged bytes are still there (<see cref="UnconsumedJournal"/>).
/// </summary>
/// <remarks>"In the log" is what <c>Durability</c> says: handed to the kernel (<c>flush</c>), or on disk (<c>fsync</c>).</remarks>
internal sealed class LoggedConsumption
{
    // Markers are k * 2^24 above 2^30 (k from 1 to 63): the bytes of one read stay below 2^24, so the ranges of two
    // markers never meet, and a peek offset of held bytes (below 2^30) is never taken for one.
    private const int MarkerBase = 1 << 30;
    private const int MarkerStep = 1 << 24;

    private readonly SocketPipeReader _reader;
    private readonly UnconsumedJournal _journal;
    private readonly MessageLogFiles _logs;
    private readonly long _connectionId;
    private readonly LogProgress _progress;
    private int _marker;
    private bool _marked;
    private int _lastStep;

    public LoggedConsumption(SocketPipeReader reader, UnconsumedJournal journal, MessageLogFiles logs, long connectionId, MessageContext context)
    {
        _reader = reader;
        _journal = journal;
        _logs = logs;
        _connectionId = connectionId;

        // The log step asks the context's progress for the claim of each chunk of lines it hands over: the claim of a
        // chunk covers the bytes of the messages before the one running (LogProgress numbers from 0, so bytes - 1).
        _progress = new LogProgress(position => new UnconsumedClaim(_journal, _connectionId, _marker, (int)position + 1));
        context.Features.Set(_progress);
    }

    /// <summary>
    /// A message of the read runs now, after <paramref name="bytes"/> bytes of frames before it: their lines are in the
    /// chunks handed over so far. The first of a read marks the socket, before any of its lines can reach the log.
    /// </summary>
    public void Before(long bytes)
    {
        if (bytes >= MarkerStep)
        {
            // Beyond what a marker can count: the rest of this read goes without claims.
            _progress.Begin(0);
            return;
        }

        if (!_marked)
        {
            _marked = true;
            _marker = NextMarker();
            _reader.MarkLogging(_marker);
            _progress.Begin(0);
        }

        _progress.At((int)bytes);
    }

    /// <summary>
    /// Instead of flushing the context and advancing <paramref name="input"/> to <paramref name="left"/> after a read
    /// of <paramref name="read"/>: the lines go to the log, and the bytes of the frames cut from the read leave the
    /// socket once the log has them.
    /// </summary>
    public async ValueTask FlushAsync(MessageContext context, PipeReader input, ReadOnlySequence<byte> read, ReadOnlySequence<byte> left)
    {
        var count = (int)Math.Min(read.Length - left.Length, int.MaxValue);
        if (_marked && count < MarkerStep)
        {
            _progress.At(count);
        }
        else
        {
            _progress.Begin(0);
        }

        try
        {
            await context.FlushAsync();
        }
        finally
        {
            // No claim until the next read's first message.
            _progress.Begin(0);
        }

        input.AdvanceTo(left.Start, left.End);
        if (count > 0 || _marked)
        {
            _marked = false;
            if (count > 0)
            {
                await _logs.CommitAsync();
            }

            // Also with nothing to take: the peek offset goes back from the marker to the bytes held.
            _reader.ConsumeLogged(count);
        }
    }

    /// <summary>The connection closed for good.</summary>
    public void Forget() => _journal.Forget(_connectionId);

    // Each claim's marker differs from the one before: a kill between setting one and recording its claim must not
    // make the last recorded claim look unconsumed.
    private int NextMarker()
    {
        int step;
        do
        {
            step = Random.Shared.Next(1, 64);
        }
        while (step == _lastStep);

        _lastStep = step;
        return MarkerBase + (step * MarkerStep);
    }
}
