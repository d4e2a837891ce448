using System.Buffers;
using SocketDaemon.Client.Internal;
using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Client.Spooling;

/// <summary>
/// Sends what a <see cref="DiskSpool"/> holds (records in origin-batch entry form) to upstream daemons over
/// native-protocol sessions, and acknowledges the spool as they acknowledge: the sending half of the client's
/// <c>Spool</c> option and of the daemon's <c>Forward</c> handler.
/// </summary>
/// <remarks>
/// <para>
/// A message's number in its session is its spool sequence number, and each upstream gets batches in increasing
/// order, so the receiving daemon skips what it already logged when a batch is sent again after a reconnect. With
/// one upstream the session id is kept in the spool directory, and that holds across restarts of the sender too.
/// </para>
/// <para>
/// One worker per upstream. With failover, an upstream takes batches only while every one before it is down; with
/// round-robin, all that are up take them in turn. A worker whose upstream is down keeps its unacknowledged batches
/// for the reconnect, and hands them to the others once another upstream is up; a worker that takes batches older
/// than what it sent in its session starts a new session, so that the receiver does not skip them.
/// </para>
/// </remarks>
internal sealed class SpoolSender : IAsyncDisposable
{
    private const string SessionFileName = "session";
    private const int FrameBytes = 64 * 1024;

    private readonly DiskSpool _spool;
    private readonly SpoolSenderOptions _options;
    private readonly Action<SocketEndpoint, Exception>? _onError;
    private readonly Lock _lock = new();
    private readonly SpoolWorker[] _workers;
    private readonly Queue<SpoolRange> _returned = new();
    private readonly SortedDictionary<ulong, ulong> _done = [];
    private readonly AcknowledgementWaiters _waiters = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _work = NewSignal();
    private ulong _nextToSend;
    private Task[] _running = [];

    public SpoolSender(DiskSpool spool, IReadOnlyList<SocketEndpoint> upstreams, SpoolSenderOptions options, Action<SocketEndpoint, Exception>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(upstreams);
        ArgumentOutOfRangeException.ThrowIfZero(upstreams.Count);
        _spool = spool;
        _options = options;
        _onError = onError;
        _nextToSend = spool.Acknowledged + 1;
        _workers = [.. upstreams.Select((endpoint, index) => new SpoolWorker(endpoint, index))];
        if (_workers.Length == 1)
        {
            _workers[0].Session = LoadSession(spool.Directory);
        }
    }

    /// <summary>Whether some upstream is connected now.</summary>
    public bool IsConnected => _workers.Any(w => w.Healthy);

    /// <summary>How many upstreams are connected now.</summary>
    public int ConnectedUpstreams => _workers.Count(w => w.Healthy);

    /// <summary>Starts the workers.</summary>
    public void Start() => _running = [.. _workers.Select(w => Task.Run(() => RunAsync(w)))];

    /// <summary>Completes when the upstreams have acknowledged every record up to <paramref name="sequence"/>.</summary>
    public Task WaitForAcknowledgedAsync(ulong sequence)
    {
        lock (_lock)
        {
            return _waiters.WaitFor(sequence, _spool.Acknowledged);
        }
    }

    /// <summary>Completes <paramref name="waiter"/> when the upstreams have acknowledged every record up to <paramref name="sequence"/>.</summary>
    public void WhenAcknowledged(ulong sequence, TaskCompletionSource waiter)
    {
        lock (_lock)
        {
            _waiters.Add(sequence, waiter, _spool.Acknowledged);
        }
    }

    /// <summary>Stops the workers; what is not acknowledged stays in the spool for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running).ContinueWith(static _ => { }, TaskScheduler.Default);
        lock (_lock)
        {
            _waiters.CancelAll();
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static Guid LoadSession(string directory) => LoadId(directory, SessionFileName);

    /// <summary>The id kept in <paramref name="fileName"/> of a spool directory, made (and stored atomically) the first time.</summary>
    internal static Guid LoadId(string directory, string fileName)
    {
        var path = Path.Combine(directory, fileName);
        if (File.Exists(path) && Guid.TryParse(File.ReadAllText(path).Trim(), out var stored))
        {
            return stored;
        }

        var session = Guid.NewGuid();
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, session.ToString());
        File.Move(temporary, path, overwrite: true);
        return session;
    }

    private async Task RunAsync(SpoolWorker worker)
    {
        var token = _stopping.Token;
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (!MayTakeWork(worker) && worker.Pending.Count == 0)
                {
                    await WaitForWorkAsync(TimeSpan.FromMilliseconds(100), token);
                    continue;
                }

                await using var connection = await SocketDaemonClient.ConnectNativeAsync(worker.Endpoint, _options, token);
                if (connection.Version < NativeProtocol.SessionVersion)
                {
                    throw new NativeProtocolException($"{worker.Endpoint} speaks native protocol version {connection.Version}; forwarding needs {NativeProtocol.SessionVersion}");
                }

                worker.Healthy = true;
                worker.Attempted = true;
                backoff = TimeSpan.FromMilliseconds(100);
                SignalWork();
                await SendAsync(worker, connection, token);

                // A standby whose turn is over: it has delivered what it took and lets the connection go.
                worker.Healthy = false;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                worker.Healthy = false;
                worker.Attempted = true;
                _onError?.Invoke(worker.Endpoint, ex);
                SignalWork();
                try
                {
                    await Task.Delay(backoff, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                GiveBackIfOthersCan(worker);
            }
        }
    }

    /// <summary>
    /// Runs one connection: the session, then the batches this worker still owes (sent again, same numbers), then new
    /// ones, with up to <see cref="SpoolSenderOptions.MaxInFlightBatches"/> awaiting acknowledgement.
    /// </summary>
    private async Task SendAsync(SpoolWorker worker, NativeConnection connection, CancellationToken token)
    {
        await StartSessionAsync(worker, connection, token);
        var inFlight = new Queue<(SpoolRange Range, ArrayBufferWriter<byte> Frame, Task<NativeReply> Reply)>();
        foreach (var range in worker.Pending)
        {
            Send(range);
        }

        while (true)
        {
            if (inFlight.Count < _options.MaxInFlightBatches && MayTakeWork(worker) && TakeRange(worker, mayRestartSession: inFlight.Count == 0) is { } range)
            {
                if (range.First <= worker.LastSent)
                {
                    // Older than what this session already carried (handed over from another upstream): a new session,
                    // so the receiver does not take them for duplicates. Only with nothing in flight, so that
                    // nothing sent in the old session is ever sent again in the new one.
                    worker.Session = Guid.NewGuid();
                    await StartSessionAsync(worker, connection, token);
                    worker.LastSent = 0;
                }

                worker.LastSent = Math.Max(worker.LastSent, range.Last);
                worker.Pending.Add(range);
                Send(range);
                continue;
            }

            if (inFlight.Count == 0)
            {
                if (!MayTakeWork(worker))
                {
                    return;
                }

                await Task.WhenAny(WaitForWorkAsync(Timeout.InfiniteTimeSpan, token), connection.Closed);
                token.ThrowIfCancellationRequested();
                if (!connection.IsOpen)
                {
                    throw new IOException($"{worker.Endpoint} closed the connection");
                }

                continue;
            }

            var (sent, sentFrame, reply) = inFlight.Peek();
            if (!reply.IsCompleted && inFlight.Count < _options.MaxInFlightBatches && _options.BatchDelay == TimeSpan.Zero && MayTakeWork(worker))
            {
                // Records appended while the window has room go out now, not after the oldest batch's round trip.
                await Task.WhenAny(reply, _spool.WaitForAsync(_nextToSend, token));
                token.ThrowIfCancellationRequested();
                if (!reply.IsCompleted)
                {
                    continue;
                }
            }

            inFlight.Dequeue();
            var answer = await reply;
            Recycle(worker, sentFrame);
            if (answer.Errors?.FirstOrDefault(static e => e.Code != NativeErrorCode.TooLarge) is { Code: not NativeErrorCode.None } refused)
            {
                // Busy, or a handler failed: the batch goes again after a pause; the receiver skips what it took.
                throw new SocketDaemonException(refused.Code, $"{worker.Endpoint} refused message {sent.First + (ulong)refused.Index} of a batch as {refused.Code}");
            }

            if (answer.Errors is { Count: > 0 } tooLarge)
            {
                _onError?.Invoke(worker.Endpoint, new SocketDaemonException(NativeErrorCode.TooLarge, $"{worker.Endpoint} refused {tooLarge.Count} messages as too large; they are dropped"));
            }

            worker.Pending.Remove(sent);
            MarkDone(sent);
        }

        void Send(SpoolRange range)
        {
            var frame = FrameOf(worker, range);
            inFlight.Enqueue((range, frame, connection.RequestAsync(range.First, frame.WrittenMemory, token)));
        }
    }

    private static async Task StartSessionAsync(SpoolWorker worker, NativeConnection connection, CancellationToken token)
    {
        if (worker.Session == Guid.Empty)
        {
            worker.Session = Guid.NewGuid();
        }

        var frame = new ArrayBufferWriter<byte>(64);
        NativeFrameWriter.WriteSession(frame, 0, worker.Session);
        var reply = await connection.RequestAsync(0, frame.WrittenMemory, token);
        if (reply.Type != NativeFrameType.Ok)
        {
            throw new SocketDaemonException(reply.Code, $"{worker.Endpoint} refused the session: {reply.Message}");
        }
    }

    /// <summary>The origin-batch frame of <paramref name="range"/>, in one of the worker's frame buffers.</summary>
    private ArrayBufferWriter<byte> FrameOf(SpoolWorker worker, SpoolRange range)
    {
        var frame = worker.Frames.TryPop(out var recycled) ? recycled : new ArrayBufferWriter<byte>(FrameBytes);
        var batch = NativeFrameWriter.BeginOriginBatch(frame, range.First);
        batch.AddedEntries(_spool.CopyPayloads(range, frame));
        batch.Complete();
        return frame;
    }

    // Only once the upstream has answered is a frame's buffer no longer needed (it was written): the next batch reuses
    // it, rather than grow a new one of a hundred kilobytes or more for every batch.
    private void Recycle(SpoolWorker worker, ArrayBufferWriter<byte> frame)
    {
        if (worker.Frames.Count < _options.MaxInFlightBatches)
        {
            frame.ResetWrittenCount();
            worker.Frames.Push(frame);
        }
    }

    // Failover: a standby takes work only once every upstream before it has been tried and is down.
    private bool MayTakeWork(SpoolWorker worker) => _options.RoundRobin || _workers.Take(worker.Index).All(w => w.Attempted && !w.Healthy);

    /// <summary>
    /// The next range to send: one handed back by another worker (when this session can take it), else the next
    /// records of the spool.
    /// </summary>
    private SpoolRange? TakeRange(SpoolWorker worker, bool mayRestartSession)
    {
        lock (_lock)
        {
            if (_returned.TryPeek(out var returned) && (returned.First > worker.LastSent || mayRestartSession))
            {
                return _returned.Dequeue();
            }

            if (_spool.NextRange(_nextToSend, _options.BatchMessages, _options.BatchBytes) is not { } range)
            {
                return null;
            }

            _nextToSend = range.Last + 1;
            return range;
        }
    }

    private async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken token)
    {
        Task work;
        lock (_lock)
        {
            work = _work.Task;
        }

        var appended = _spool.WaitForAsync(_nextToSend, token);
        var waits = timeout == Timeout.InfiniteTimeSpan ? [work, appended] : new[] { work, appended, Task.Delay(timeout, token) };
        await Task.WhenAny(waits);
        token.ThrowIfCancellationRequested();
        if (appended.IsCompleted && _options.BatchDelay > TimeSpan.Zero && _spool.NextSequence - _nextToSend < (ulong)_options.BatchMessages)
        {
            // Let a batch fill a little before it goes.
            await Task.Delay(_options.BatchDelay, token);
        }
    }

    private void SignalWork()
    {
        TaskCompletionSource work;
        lock (_lock)
        {
            work = _work;
            _work = NewSignal();
        }

        work.TrySetResult();
    }

    private void GiveBackIfOthersCan(SpoolWorker worker)
    {
        if (worker.Pending.Count == 0 || !_workers.Any(w => w != worker && w.Healthy))
        {
            return;
        }

        lock (_lock)
        {
            foreach (var range in worker.Pending.OrderBy(r => r.First))
            {
                _returned.Enqueue(range);
            }
        }

        worker.Pending.Clear();
        SignalWork();
    }

    /// <summary>Notes a range as acknowledged, and moves the spool's position over every range done in a row.</summary>
    private void MarkDone(SpoolRange range)
    {
        lock (_lock)
        {
            _done[range.First] = range.Last;
            var acknowledged = _spool.Acknowledged;
            var through = acknowledged;
            while (_done.Remove(through + 1, out var last))
            {
                through = last;
            }

            // Ranges that start below the position (records cut by recovery left a gap) are done with it.
            foreach (var first in _done.Keys.Where(f => f <= through).ToList())
            {
                through = Math.Max(through, _done[first]);
                _done.Remove(first);
            }

            if (through == acknowledged)
            {
                return;
            }

            _spool.Acknowledge(through);
            _waiters.Release(through);
        }
    }
}
