using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Nats;

/// <summary>
/// The outbox of one NATS connection and stream, in bounded memory: a queue of at most <c>MaxPending</c> messages
/// and at most <c>MaxInFlight</c> publishes awaiting JetStream's acknowledgement, pipelined on one connection.
/// A publish that fails (NATS down, no JetStream answer, a timeout) is retried with a growing delay and the same
/// <c>Nats-Msg-Id</c>, so JetStream stores it once however often it is sent.
/// </summary>
internal sealed partial class NatsPublisher : INatsOutbox
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly string _stream;
    private readonly string _streamSubject;
    private readonly NatsOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<NatsOutgoing> _queue;
    private readonly SemaphoreSlim _window;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;
    private volatile bool _streamReady;
    private int _failing;
    private long _pending;

    public NatsPublisher(string url, string stream, string streamSubject, NatsOptions options, ILoggerFactory loggerFactory)
    {
        _stream = stream;
        _streamSubject = streamSubject;
        _options = options;
        _logger = loggerFactory.CreateLogger("SocketDaemon.Nats");
        _connection = NatsConnectionFactory.Create(url, options, $"socketdaemon {Environment.MachineName} {stream}", loggerFactory);
        _js = new NatsJSContext(_connection);
        _queue = Channel.CreateBounded<NatsOutgoing>(new BoundedChannelOptions(options.MaxPending) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _window = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        Url = url;
        _pump = PumpAsync();
    }

    public string Url { get; }

    public long Pending => Interlocked.Read(ref _pending);

    /// <inheritdoc/>
    public string Spool => string.Empty;

    /// <inheritdoc/>
    public long SpoolBytes => 0;

    public async ValueTask EnqueueAsync(NatsOutgoing message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pending);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            await _queue.Writer.WriteAsync(message, linked.Token);
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }
    }

    public async Task StopAsync(TimeSpan timeout)
    {
        if (!_queue.Writer.TryComplete())
        {
            return;
        }

        var drained = Task.Run(async () =>
        {
            await _pump;
            for (var i = 0; i < _options.MaxInFlight; i++)
            {
                await _window.WaitAsync();
            }
        });
        if (await Task.WhenAny(drained, Task.Delay(timeout)) != drained && Pending > 0)
        {
            Abandoned(_logger, Pending, _stream, Url);
        }

        await _stopping.CancelAsync();
        await _pump;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        await _connection.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                await _window.WaitAsync(_stopping.Token);
                _ = PublishAsync(message);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with messages still queued: nobody will publish them.
            while (_queue.Reader.TryRead(out var message))
            {
                Interlocked.Decrement(ref _pending);
                message.Completion?.TrySetCanceled(_stopping.Token);
            }
        }
    }

    private async Task PublishAsync(NatsOutgoing message)
    {
        var delay = FirstRetryDelay;
        try
        {
            while (true)
            {
                try
                {
                    if (!_streamReady)
                    {
                        await NatsConnectionFactory.EnsureStreamAsync(_js, _stream, _options, _streamSubject, _stopping.Token);
                        _streamReady = true;
                    }

                    var ack = await _js.PublishAsync(message.Subject, message.Data, opts: new NatsJSPubOpts { MsgId = message.MessageId }, headers: message.Headers, cancellationToken: _stopping.Token);
                    ack.EnsureSuccess();
                    if (Interlocked.Exchange(ref _failing, 0) == 1)
                    {
                        Recovered(_logger, _stream, Url);
                    }

                    message.Completion?.TrySetResult();
                    return;
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    // One warning when NATS goes away, one line when it is back: not one per message.
                    if (Interlocked.Exchange(ref _failing, 1) == 0)
                    {
                        Failing(_logger, _stream, Url, ex.Message);
                    }

                    if (ex is NatsJSApiException { Error.ErrCode: 10059 })
                    {
                        _streamReady = false;
                    }

                    await Task.Delay(delay, _stopping.Token);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                }
            }
        }
        catch (OperationCanceledException)
        {
            message.Completion?.TrySetCanceled(_stopping.Token);
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            _window.Release();
        }
    }

    [LoggerMessage(EventIds.NatsPublishFailing, LogLevel.Warning, "NATS stream {Stream} at {Url}: publishing fails ({Reason}); retrying with the same message ids until it works")]
    private static partial void Failing(ILogger logger, string stream, string url, string reason);

    [LoggerMessage(EventIds.NatsPublishRecovered, LogLevel.Information, "NATS stream {Stream} at {Url}: publishing works again")]
    private static partial void Recovered(ILogger logger, string stream, string url);

    [LoggerMessage(EventIds.NatsPublishAbandoned, LogLevel.Error, "NATS stream {Stream} at {Url}: stopped with {Count} messages not acknowledged by JetStream")]
    private static partial void Abandoned(ILogger logger, long count, string stream, string url);
}
