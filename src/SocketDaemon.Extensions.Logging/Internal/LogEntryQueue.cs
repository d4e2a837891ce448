using SocketDaemon.Client;

namespace SocketDaemon.Logging;

/// <summary>
/// Between the threads that log and the daemon: entries go into a bounded <see cref="EntryBuffer"/> without waiting,
/// and one background task sends them in acknowledged batches (or into the disk spool), reconnecting after a failure.
/// </summary>
internal sealed class LogEntryQueue : IAsyncDisposable
{
    private readonly EntryBuffer _entries;
    private readonly SocketEndpoint _endpoint;
    private readonly SocketDaemonClientOptions _clientOptions;
    private readonly TimeSpan _flushTimeout;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _pump;
    private SocketDaemonClient? _client;
    private long _failures;
    private int _disposed;

    public LogEntryQueue(SocketEndpoint endpoint, SocketDaemonClientOptions clientOptions, int limit, bool dropOldest, TimeSpan flushTimeout)
    {
        _endpoint = endpoint;
        _clientOptions = clientOptions;
        _flushTimeout = flushTimeout;
        _entries = new EntryBuffer(limit, dropOldest);
        _pump = Task.Run(RunAsync);
    }

    /// <summary>How many entries were dropped because the queue was full.</summary>
    public long Dropped => _entries.Dropped;

    /// <summary>How many times sending failed and the sender reconnected.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The last error the sender met, if any (logging it would log through this queue).</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Queues an entry, framed (<c>u32 length</c>, then its bytes); never blocks.</summary>
    public void Enqueue(ReadOnlySpan<byte> framed) => _entries.Write(framed);

    /// <summary>Sends what is queued, within the flush timeout, and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var deadline = DateTime.UtcNow + _flushTimeout;
        _entries.Complete();
        try
        {
            await _pump.WaitAsync(_flushTimeout);
            if (_client is not null)
            {
                // With a spool, what the daemon has not acknowledged by then stays on disk for the next start.
                await _client.WaitUntilDeliveredAsync().WaitAsync(Remaining(deadline));
            }
        }
        catch (TimeoutException)
        {
        }

        await _abort.CancelAsync();
        await _pump.ContinueWith(static _ => { }, TaskScheduler.Default);
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        _abort.Dispose();
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private async Task RunAsync()
    {
        var token = _abort.Token;
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!_entries.IsCompleted)
        {
            try
            {
                _client ??= await SocketDaemonClient.ConnectAsync(_endpoint, _clientOptions, token);
                await _client.SendManyAsync(new EntryReader(_entries), token);
                backoff = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The batch in flight is lost unless spooled; the next ones go on a new connection.
                Interlocked.Increment(ref _failures);
                LastError = ex;
                if (_client is { } broken && _clientOptions.Spool is null)
                {
                    _client = null;
                    await broken.DisposeAsync();
                }

                try
                {
                    await Task.Delay(backoff, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }
}
