using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// Every open connection of every listener: counts them against <c>MaxConnections</c> and, at stop, lets them
/// finish the frames in flight before closing what is left.
/// </summary>
internal sealed class ConnectionManager(ILogger logger) : IDisposable
{
    private readonly ConcurrentDictionary<long, (Task Processing, StreamConnection Connection)> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _lastId;

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
    }

    /// <summary>The open connections, for status reports.</summary>
    public IEnumerable<StreamConnection> Open => _connections.Values.Select(c => c.Connection);

    /// <summary>Tells every connection to finish and waits for them at most <paramref name="timeout"/>; then closes the rest.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        await _stopping.CancelAsync();
        var open = _connections.Values.ToArray();
        if (open.Length == 0)
        {
            return;
        }

        ListenerLog.Draining(logger, open.Length, timeout);
        var all = Task.WhenAll(open.Select(c => c.Processing));
        try
        {
            await all.WaitAsync(timeout);
            return;
        }
        catch (TimeoutException)
        {
            ListenerLog.DrainTimedOut(logger, _connections.Count, timeout);
        }

        foreach (var (_, connection) in _connections.Values)
        {
            connection.Abort(new ConnectionAbortedException("The daemon is stopping."));
        }

        await all.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    public void Dispose() => _stopping.Dispose();

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
