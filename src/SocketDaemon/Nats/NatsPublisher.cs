using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Nats;

/// <summary>
/// The outbox of one NATS connection and stream, in bounded memory: a queue of at most <c>MaxPending</c> messages
/// and at most <c>MaxInFlight</c> publishes awaiting JetStream's acknowledgement, pipelined on one connection.
/// Each publish names a reply subject under one inbox of the publisher, and the acknowledgements are read there in
/// batches, not awaited one request at a time. A publish that fails (NATS down, no JetStream answer within
/// <see cref="AckTimeout"/>) is sent again with a growing delay and the same <c>Nats-Msg-Id</c>, so JetStream stores
/// it once however often it is sent.
/// </summary>
internal sealed partial class NatsPublisher : INatsOutbox
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(100);

    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly string _stream;
    private readonly string _streamSubject;
    private readonly NatsOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<NatsPublish> _queue;
    private readonly SemaphoreSlim _window;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<long, NatsPublish> _inFlight = [];
    private readonly string _inbox;
    private readonly Task _pump;
    private readonly Task _acknowledgements;
    private readonly Task _sweep;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _streamReady;
    private int _failing;
    private long _pending;
    private long _nextId;

    public NatsPublisher(string url, string stream, string streamSubject, NatsOptions options, ILoggerFactory loggerFactory)
    {
        _stream = stream;
        _streamSubject = streamSubject;
        _options = options;
        _logger = loggerFactory.CreateLogger("SocketDaemon.Nats");
        _connection = NatsConnectionFactory.Create(url, options, $"socketdaemon {Environment.MachineName} {stream}", loggerFactory);
        _js = new NatsJSContext(_connection);
        // Under _INBOX (which permissions usually allow) but not under the connection's own request inbox, whose
        // subscriptions the client routes by exact subject, so a wildcard there would never see an answer.
        _inbox = "_INBOX." + Guid.NewGuid().ToString("N");
        _queue = Channel.CreateBounded<NatsPublish>(new BoundedChannelOptions(options.MaxPending) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _window = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        Url = url;
        _acknowledgements = ReadAcknowledgementsAsync();
        _pump = PumpAsync();
        _sweep = SweepAsync();
    }

    public string Url { get; }

    /// <summary>Called with each batch of messages JetStream acknowledged: a spool's cheaper completion than one per message.</summary>
    public Action<List<NatsPublish>>? Stored { get; set; }

    public long Pending => Interlocked.Read(ref _pending);

    /// <inheritdoc/>
    public string Spool => string.Empty;

    /// <inheritdoc/>
    public long SpoolBytes => 0;

    /// <inheritdoc/>
    public ValueTask EnqueueAsync(NatsOutgoing message, CancellationToken cancellationToken) =>
        EnqueueAsync(new NatsPublish(message.Subject, message.Data, NatsHeaderBlock.Of(message.Headers), message.MessageId, 0, message.Completion), cancellationToken);

    /// <summary>Takes <paramref name="message"/>; waits while the queue is full.</summary>
    public async ValueTask EnqueueAsync(NatsPublish message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite(message))
        {
            return;
        }

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
        await _sweep;
        await _acknowledgements;
        List<NatsPublish> left;
        lock (_lock)
        {
            left = [.. _inFlight.Values];
            _inFlight.Clear();
        }

        foreach (var entry in left)
        {
            Interlocked.Decrement(ref _pending);
            entry.Completion?.TrySetCanceled(_stopping.Token);
        }
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
            await _subscribed.Task.WaitAsync(_stopping.Token);
            await foreach (var message in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                await _window.WaitAsync(_stopping.Token);
                var id = ++_nextId;
                message.Id = id;
                message.Due = Environment.TickCount64 + (long)AckTimeout.TotalMilliseconds;
                lock (_lock)
                {
                    _inFlight[id] = message;
                }

                while (!_streamReady && !await TryEnsureStreamAsync())
                {
                    await Task.Delay(FirstRetryDelay, _stopping.Token);
                }

                await SendAsync(message);
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

    /// <summary>
    /// Publishes (again) with the entry's reply subject (the inbox and its number); a publish that cannot go out now
    /// is sent again by the sweep. The headers are made for each send: NATS.Net freezes them, and a kept set per
    /// message would be thousands of objects for the collector to walk.
    /// </summary>
    private async ValueTask SendAsync(NatsPublish entry)
    {
        entry.Due = Environment.TickCount64 + (long)AckTimeout.TotalMilliseconds;
        try
        {
            var replyTo = string.Create(CultureInfo.InvariantCulture, $"{_inbox}.{entry.Id}");
            await _connection.PublishAsync(entry.Subject, entry.Data, entry.Headers.ToHeaders(entry.MessageId()), replyTo, serializer: NatsRawSerializer<ReadOnlyMemory<byte>>.Default, cancellationToken: _stopping.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(entry, ex.Message);
        }
    }

    private async Task<bool> TryEnsureStreamAsync()
    {
        try
        {
            await NatsConnectionFactory.EnsureStreamAsync(_js, _stream, _options, _streamSubject, _stopping.Token);
            _streamReady = true;
            return true;
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            NoteFailing(ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Reads JetStream's answers as they come, a batch at a time: a stored message completes and frees its place in
    /// the window; an error (no stream, no responders) schedules it again.
    /// </summary>
    private async Task ReadAcknowledgementsAsync()
    {
        try
        {
            var capacity = Math.Max(1024, _options.MaxInFlight * 2);
            await using var subscription = await _connection.SubscribeCoreAsync<byte[]>(
                _inbox + ".*",
                opts: new NatsSubOpts { ChannelOpts = new NatsSubChannelOpts { Capacity = capacity, FullMode = BoundedChannelFullMode.Wait } },
                cancellationToken: _stopping.Token);
            _subscribed.TrySetResult();
            var done = new List<NatsPublish>(capacity);
            while (await subscription.Msgs.WaitToReadAsync(_stopping.Token))
            {
                lock (_lock)
                {
                    while (done.Count < capacity && subscription.Msgs.TryRead(out var answer))
                    {
                        Answered(answer, done);
                    }
                }

                if (done.Count == 0)
                {
                    continue;
                }

                if (Interlocked.Exchange(ref _failing, 0) == 1)
                {
                    Recovered(_logger, _stream, Url);
                }

                foreach (var message in done)
                {
                    message.Completion?.TrySetResult();
                }

                Stored?.Invoke(done);

                Interlocked.Add(ref _pending, -done.Count);
                _window.Release(done.Count);
                done.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _subscribed.TrySetCanceled();
        }
    }

    /// <summary>One answer, under the lock: the message it stores goes to <paramref name="done"/>.</summary>
    private void Answered(NatsMsg<byte[]> answer, List<NatsPublish> done)
    {
        var subject = answer.Subject.AsSpan();
        if (!long.TryParse(subject[(subject.LastIndexOf('.') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !_inFlight.TryGetValue(id, out var entry))
        {
            // An answer to a publish sent twice whose first answer came already.
            return;
        }

        var data = answer.Data.AsSpan();
        if (answer.HasNoResponders || data.IndexOf("\"error\""u8) >= 0)
        {
            // No stream takes the subject (deleted, or not made yet): make it, then send again.
            if (answer.HasNoResponders || data.IndexOf("10059"u8) >= 0)
            {
                _streamReady = false;
            }

            Failed(entry, answer.HasNoResponders ? "no JetStream stream answered" : System.Text.Encoding.UTF8.GetString(data));
            return;
        }

        _inFlight.Remove(id);
        done.Add(entry);
    }

    /// <summary>A publish failed: it goes again after a growing delay (the sweep sends it).</summary>
    private void Failed(NatsPublish entry, string reason)
    {
        NoteFailing(reason);
        entry.Due = Environment.TickCount64 + (long)entry.Delay.TotalMilliseconds;
        entry.Delay = TimeSpan.FromTicks(Math.Min(entry.Delay.Ticks * 2, MaxRetryDelay.Ticks));
    }

    private void NoteFailing(string reason)
    {
        // One warning when NATS goes away, one line when it is back: not one per message.
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            Failing(_logger, _stream, Url, reason);
        }
    }

    /// <summary>Sends again what JetStream did not answer in time, or refused, once its delay is over.</summary>
    private async Task SweepAsync()
    {
        var due = new List<NatsPublish>();
        try
        {
            while (true)
            {
                await Task.Delay(SweepInterval, _stopping.Token);
                var now = Environment.TickCount64;
                lock (_lock)
                {
                    foreach (var entry in _inFlight.Values)
                    {
                        if (entry.Due <= now)
                        {
                            due.Add(entry);
                        }
                    }
                }

                if (due.Count == 0)
                {
                    continue;
                }

                NoteFailing("no acknowledgement from JetStream in time");

                if (_streamReady || await TryEnsureStreamAsync())
                {
                    foreach (var entry in due)
                    {
                        await SendAsync(entry);
                    }
                }

                due.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventIds.NatsPublishFailing, LogLevel.Warning, "NATS stream {Stream} at {Url}: publishing fails ({Reason}); retrying with the same message ids until it works")]
    private static partial void Failing(ILogger logger, string stream, string url, string reason);

    [LoggerMessage(EventIds.NatsPublishRecovered, LogLevel.Information, "NATS stream {Stream} at {Url}: publishing works again")]
    private static partial void Recovered(ILogger logger, string stream, string url);

    [LoggerMessage(EventIds.NatsPublishAbandoned, LogLevel.Error, "NATS stream {Stream} at {Url}: stopped with {Count} messages not acknowledged by JetStream")]
    private static partial void Abandoned(ILogger logger, long count, string stream, string url);
}
