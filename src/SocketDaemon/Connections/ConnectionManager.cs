using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketDaemon.Connections;

/// <summary>
/// Every open connection of every listener: counts them against <c>MaxConnections</c> and, at stop, lets them
/// finish the frames in flight before closing what is left. One tick checks every connection's read deadline
/// (IdleTimeout, FrameTimeout, MinDataRate, MaxConnectionAge), as Kestrel's heartbeat does, instead of a timer per
/// connection.
/// </summary>
internal sealed class ConnectionManager : IDisposable
{
    /// <summary>How often read deadlines are checked: each timeout fires up to this much late.</summary>
    internal static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<long, StreamConnection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly ITimer _tick;
    private readonly TimeProvider _time;
    private long _lastId;

    // The tick runs only while there are connections, so that an idle daemon sleeps.
    private readonly Lock _tickLock = new();
    private bool _ticking;

    // Set while stopping: completed when the last connection has closed.
    private TaskCompletionSource? _drained;

    public ConnectionManager(ILogger logger, TimeProvider? time = null)
    {
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _tick = _time.CreateTimer(static state => ((ConnectionManager)state!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Signalled when the daemon stops: connections drain what they have and close.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public int Count => _connections.Count;

    public long NextId() => Interlocked.Increment(ref _lastId);

    /// <summary>Makes <see cref="NextId"/> skip <paramref name="id"/>: a connection taken back from an earlier run keeps its id.</summary>
    public void Reserve(long id)
    {
        var last = Volatile.Read(ref _lastId);
        while (last < id && Interlocked.CompareExchange(ref _lastId, id, last) is var seen && seen != last)
        {
            last = seen;
        }
    }

    /// <summary>
    /// Starts processing <paramref name="connection"/> on the thread pool (not on the accept loop), registered first so
    /// that a stop that comes right after sees it; it calls <see cref="Forget"/> when it closes.
    /// </summary>
    public void Track(long id, StreamConnection connection)
    {
        _connections[id] = connection;
        ThreadPool.UnsafeQueueUserWorkItem(connection, preferLocal: false);
        lock (_tickLock)
        {
            if (!_ticking)
            {
                _ticking = true;
                _tick.Change(TickPeriod, TickPeriod);
            }
        }
    }

    /// <summary>Takes a closed connection off the list; at a stop, the last one ends the drain.</summary>
    public void Forget(long id)
    {
        _connections.TryRemove(id, out _);
        if (_connections.IsEmpty && Volatile.Read(ref _drained) is { } drained)
        {
            drained.TrySetResult();
        }
    }

    private void Tick()
    {
        // Enumerated in place: Values would copy every entry under all the dictionary's locks, ten times a second.
        var now = _time.GetTimestamp();
        foreach (var entry in _connections)
        {
            entry.Value.ExpireIfDue(now);
        }

        if (_connections.IsEmpty)
        {
            lock (_tickLock)
            {
                // A connection tracked since the check above finds the tick stopped and starts it again.
                if (_connections.IsEmpty && _ticking)
                {
                    _ticking = false;
                    _tick.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    /// <summary>The open connections, for status reports.</summary>
    public IEnumerable<StreamConnection> Open => _connections.Values;

    /// <summary>
    /// Wakes every connection's pending read, so that it takes its next timeout from the limits as they are now (a
    /// reload, a stop): a connection stalled under a long <c>FrameTimeout</c> meets the shorter one at once. One that is
    /// not reading finds the wake at its next read.
    /// </summary>
    public void WakeAll()
    {
        foreach (var entry in _connections)
        {
            var connection = entry.Value;
            try
            {
                connection.Input.CancelPendingRead();
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                // Closed between the snapshot and the wake: nothing to wake.
            }
        }
    }

    /// <summary>Tells every connection to finish and waits for them at most <paramref name="timeout"/>; then closes the rest.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drained, drained);
        await _stopping.CancelAsync();

        // The stop wakes every read instead of a registration per connection: a connection that reads from here on
        // finds the token cancelled before it waits.
        WakeAll();
        var open = _connections.Count;
        if (open == 0)
        {
            return;
        }

        ListenerLog.Draining(_logger, open, timeout);
        try
        {
            await drained.Task.WaitAsync(timeout);
            return;
        }
        catch (TimeoutException)
        {
            ListenerLog.DrainTimedOut(_logger, _connections.Count, timeout);
        }

        foreach (var entry in _connections)
        {
            entry.Value.Abort();
        }

        await drained.Task.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _tick.Dispose();
        _stopping.Dispose();
    }
}
