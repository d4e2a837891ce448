using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace SocketDaemon.Listeners.Internal;

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

    private readonly ConcurrentDictionary<long, (Task Processing, StreamConnection Connection)> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly Timer _tick;
    private long _lastId;

    // The tick runs only while there are connections, so that an idle daemon sleeps.
    private readonly Lock _tickLock = new();
    private bool _ticking;

    public ConnectionManager(ILogger logger)
    {
        _logger = logger;
        _tick = new Timer(static state => ((ConnectionManager)state!).Tick(), this, Timeout.Infinite, Timeout.Infinite);
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

    public void Track(long id, StreamConnection connection)
    {
        // Registered before processing starts, so a stop that comes right after sees it.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processing = RunAsync(start.Task, id, connection.RunAsync);
        _connections[id] = (processing, connection);
        start.SetResult();
        lock (_tickLock)
        {
            if (!_ticking)
            {
                _ticking = true;
                _tick.Change(TickPeriod, TickPeriod);
            }
        }
    }

    private void Tick()
    {
        // Enumerated in place: Values would copy every entry under all the dictionary's locks, ten times a second.
        var now = Stopwatch.GetTimestamp();
        foreach (var entry in _connections)
        {
            entry.Value.Connection.ExpireIfDue(now);
        }

        if (_connections.IsEmpty)
        {
            lock (_tickLock)
            {
                // A connection tracked since the check above finds the tick stopped and starts it again.
                if (_connections.IsEmpty && _ticking)
                {
                    _ticking = false;
                    _tick.Change(Timeout.Infinite, Timeout.Infinite);
                }
            }
        }
    }

    /// <summary>The open connections, for status reports.</summary>
    public IEnumerable<StreamConnection> Open => _connections.Values.Select(c => c.Connection);

    /// <summary>
    /// Wakes every connection's pending read, so that it takes its next timeout from the limits as they are now (a
    /// reload): a connection stalled under a long <c>FrameTimeout</c> meets the shorter one at once.
    /// </summary>
    public void WakeAll()
    {
        foreach (var (_, connection) in _connections.Values)
        {
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
        await _stopping.CancelAsync();
        var open = _connections.Values.ToArray();
        if (open.Length == 0)
        {
            return;
        }

        ListenerLog.Draining(_logger, open.Length, timeout);
        var all = Task.WhenAll(open.Select(c => c.Processing));
        try
        {
            await all.WaitAsync(timeout);
            return;
        }
        catch (TimeoutException)
        {
            ListenerLog.DrainTimedOut(_logger, _connections.Count, timeout);
        }

        foreach (var (_, connection) in _connections.Values)
        {
            connection.Abort();
        }

        await all.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _tick.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync(Task start, long id, Func<Task> process)
    {
        await start;
        try
        {
            await process();
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }
}
