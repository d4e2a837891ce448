using SocketDaemon.Client.Spooling;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// The background half of a <see cref="SpooledOutputHandler"/> (<c>Syslog</c>, <c>Postgres</c>): sends the spool on in
/// order, reconnecting with backoff (100 ms, doubling up to 5 s) after a failure, acknowledges the spool as the output
/// takes records, and completes the waiters of those records.
/// </summary>
internal abstract class SpooledOutputSender : IAsyncDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly AcknowledgementWaiters _waiters = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;
    private TimeSpan _backoff = FirstBackoff;
    private long _sent;
    private volatile bool _connected;

    protected SpooledOutputSender(DiskSpool spool)
    {
        Spool = spool;
    }

    /// <summary>Whether the output is connected now.</summary>
    public bool Connected => _connected;

    /// <summary>Messages the output took (sent, written, committed) since start.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>The spool sent from.</summary>
    protected DiskSpool Spool { get; }

    public void Start() => _running = Task.Run(RunAsync);

    /// <summary>Completes <paramref name="waiter"/> when every record up to <paramref name="sequence"/> is taken by the output.</summary>
    public void WhenAcknowledged(ulong sequence, TaskCompletionSource waiter)
    {
        lock (_lock)
        {
            _waiters.Add(sequence, waiter, Spool.Acknowledged);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _running.ContinueWith(static _ => { }, TaskScheduler.Default);
        lock (_lock)
        {
            _waiters.CancelAll();
        }

        await OnStoppedAsync();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Connects and sends until the connection fails (it throws) or <paramref name="token"/> is cancelled.</summary>
    protected abstract Task SendAsync(CancellationToken token);

    /// <summary>After a failure of <see cref="SendAsync"/>: whether to wait the backoff before the next attempt.</summary>
    protected abstract bool OnFailed(Exception exception);

    /// <summary>After the loop stopped: frees what the sender holds.</summary>
    protected virtual ValueTask OnStoppedAsync() => ValueTask.CompletedTask;

    /// <summary>The output is connected; <paramref name="resetBackoff"/>: the next failure waits the first backoff again.</summary>
    protected void OnConnected(bool resetBackoff = true)
    {
        _connected = true;
        if (resetBackoff)
        {
            _backoff = FirstBackoff;
        }
    }

    /// <summary>The output took every record up to <paramref name="through"/>, <paramref name="count"/> messages.</summary>
    protected void Acknowledge(ulong through, int count)
    {
        Spool.Acknowledge(through);
        Interlocked.Add(ref _sent, count);
        lock (_lock)
        {
            _waiters.Release(through);
        }
    }

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await SendAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _connected = false;
                if (OnFailed(ex))
                {
                    try
                    {
                        await Task.Delay(_backoff, token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
                }
            }
        }
    }
}
