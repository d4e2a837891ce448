using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using PeerInfo = SocketDaemon.Pipeline.PeerInfo;
using SocketDaemon.Client;
using SocketDaemon.Diagnostics;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Connections;
using SocketDaemon.Nats;
using SocketDaemon.Nats.Logged;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// A <c>nats://</c> listener: reads a durable JetStream pull consumer (created if missing) and runs each message
/// through the pipeline, batch by batch, acknowledging a batch to NATS only once the message log has committed it
/// and what handlers committed to is done. Daemons sharing the durable consumer share its messages, each going to one
/// of them. A message that was not acknowledged (the daemon died, NATS restarted) comes again; one this daemon has
/// already logged (by its stream sequence) is acknowledged without being logged twice.
/// </summary>
internal sealed partial class NatsListener(ListenerContext context, SocketEndpoint endpoint) : IListener
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    // Pull requests die with a NATS restart; short-lived ones (heartbeats at half) are noticed and renewed quickly.
    private static readonly TimeSpan PullExpires = TimeSpan.FromSeconds(5);

    // Batches between two looks at the consumer's acknowledgement floor, below which the journal forgets.
    private const int ForgetEvery = 64;

    private readonly CancellationTokenSource _stopping = new();
    private NatsConnection? _connection;
    private Task _running = Task.CompletedTask;
    private NatsOptions _options = new();
    private ILogger _logger = context.Logger;

    // The consumer's way into the pipeline; each message names its own sender in its headers.
    private MessageIntake? _intake;

    // With AckPolicy: All, which delivery each batch acknowledges.
    private NatsAckAll? _ackAll;

    public Task BindAsync(CancellationToken cancellationToken)
    {
        // Nothing to bind: the consumer is read from StartAccepting on, and NATS being down is not a start-up error.
        _options = context.Services.GetRequiredService<IOptions<NatsOptions>>().Value;
        var loggerFactory = context.Services.GetRequiredService<ILoggerFactory>();
        _logger = loggerFactory.CreateLogger("SocketDaemon.Nats");
        _connection = NatsConnectionFactory.Create("nats://" + endpoint.ToString()["nats://".Length..], _options, $"socketdaemon {Environment.MachineName} {context.Name}", loggerFactory);
        return Task.CompletedTask;
    }

    public void StartAccepting() => _running = RunAsync();

    public async Task UnbindAsync()
    {
        await _stopping.CancelAsync();
        await _running;
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var options = context.Options;
        var delay = TimeSpan.FromMilliseconds(100);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var js = new NatsJSContext(_connection!);
                await NatsConnectionFactory.EnsureStreamAsync(js, options.Stream!, _options, options.FilterSubject ?? "logs.>", _stopping.Token);
                if (await NatsDurableConsumer.CreateAsync(js, context, _options, _logger, _stopping.Token) is not { } consumer)
                {
                    // Its ack policy is not the listener's (logged): asked again later, the operator may delete it.
                    context.Listener.ErrorSeen("nats");
                    await Task.Delay(MaxRetryDelay, _stopping.Token);
                    continue;
                }

                Consuming(_logger, context.Name, options.Stream!, options.Consumer!, endpoint.ToString());
                context.Listener.ConnectionOpened();
                try
                {
                    await ConsumeAsync(consumer);
                }
                finally
                {
                    context.Listener.ConnectionClosed();
                }

                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                context.Listener.ErrorSeen("nats");
                ConsumeFailed(_logger, context.Name, ex.Message);
                try
                {
                    await Task.Delay(delay, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>
    /// Messages arrive into a small queue as the consumer fetches them; each turn takes what is there (up to a
    /// batch) and runs it as one unit (<see cref="RunBatchAsync"/>): the batch grows with the load, and latency stays low.
    /// </summary>
    private async Task ConsumeAsync(INatsJSConsumer consumer)
    {
        var size = _options.FetchBatch;
        var queue = Channel.CreateBounded<INatsJSMsg<byte[]>>(new BoundedChannelOptions(size) { SingleReader = true, SingleWriter = true });
        using var fetching = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var fetch = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = size, Expires = PullExpires }, cancellationToken: fetching.Token))
                {
                    await queue.Writer.WriteAsync(message, fetching.Token);
                }

                queue.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                queue.Writer.TryComplete(ex is OperationCanceledException ? null : ex);
            }
        });

        // With AckPolicy: All, from the consumer's state before this session asked for messages.
        _ackAll = context.Options.AckPolicy == NatsAckPolicy.All ? _ackAll ?? new(context.Time, _options.AckWait, context.Options.Consumer!) : null;
        _ackAll?.Start(consumer.Info);

        var journal = context.Services.GetRequiredService<NatsLoggedJournal>();
        var stream = journal.Get(context.Options.Stream!, context.Options.Consumer!);
        var batch = new NatsBatch(context, journal, stream);
        var logs = context.Services.GetRequiredService<MessageLogFiles>();
        var taken = new List<INatsJSMsg<byte[]>>(size);
        var outcomes = new List<Outcome>(size);
        var batches = 0;
        try
        {
            while (await queue.Reader.WaitToReadAsync())
            {
                while (taken.Count < size && queue.Reader.TryRead(out var message))
                {
                    taken.Add(message);
                }

                await RunBatchAsync(batch, stream, logs, taken, outcomes);
                taken.Clear();
                outcomes.Clear();
                _ackAll?.Check();
                if (++batches % ForgetEvery == 0)
                {
                    await ForgetAcknowledgedAsync(consumer, stream);
                }
            }
        }
        finally
        {
            await fetching.CancelAsync();
            await fetch;
        }
    }

    /// <summary>
    /// Runs <paramref name="taken"/> through the pipeline, each sender's lines handed to the log in one go with the
    /// claim of their stream sequences; commits the log; records the sequences logged without a claim; then acknowledges
    /// the batch (and asks for the failed messages again). A kill anywhere leaves the journal and the log in agreement.
    /// </summary>
    private async Task RunBatchAsync(NatsBatch batch, NatsLoggedStream stream, MessageLogFiles logs, List<INatsJSMsg<byte[]>> taken, List<Outcome> outcomes)
    {
        batch.Begin();
        foreach (var message in taken)
        {
            outcomes.Add(await DispatchAsync(batch, stream, message));
        }

        _intake?.PublishCounts();
        await batch.FlushAsync();
        await logs.CommitAsync();
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            if (outcome.Commitment is not null)
            {
                try
                {
                    await outcome.Commitment;
                }
                catch (Exception)
                {
                    // Not committed (a publish given up at a stop, a failed forward): NATS delivers it again.
                    outcomes[i] = outcome with { Ok = false };
                    continue;
                }
            }

            if (outcome.Ok && outcome.Sequence != 0)
            {
                batch.Committed.Add(outcome.Sequence);
            }
        }

        // Before the acknowledgements: a kill after them must find every logged sequence in the journal.
        stream.Settle(batch.Committed, batch.Claims);
        await AcknowledgeAllAsync(outcomes);
    }

    /// <summary>
    /// Acknowledges the batch's committed messages and asks for the failed ones again, all written to the connection
    /// at once (pipelined, not one round trip each): a lost acknowledgement only brings a message again, which the
    /// journal recognises.
    /// </summary>
    private async ValueTask AcknowledgeAllAsync(List<Outcome> outcomes)
    {
        List<Task>? writing = null;
        foreach (var outcome in outcomes)
        {
            // With AckPolicy: All a committed message is acknowledged by the batch's one acknowledgement, or a later one.
            if (_ackAll?.Add(outcome.Message, outcome.Ok) != true)
            {
                Settle(outcome.Message, outcome.Ok, ref writing);
            }
        }

        if (_ackAll?.Take() is { } last)
        {
            Settle(last, true, ref writing);
        }

        if (writing is not null)
        {
            await Task.WhenAll(writing);
        }
    }

    private void Settle(INatsJSMsg<byte[]> message, bool committed, ref List<Task>? writing)
    {
        var settle = SettleAsync(message, committed);
        if (!settle.IsCompletedSuccessfully)
        {
            (writing ??= []).Add(settle.AsTask());
        }
    }

    private async ValueTask<Outcome> DispatchAsync(NatsBatch batch, NatsLoggedStream stream, INatsJSMsg<byte[]> message)
    {
        var sequence = StreamSequenceOf(message);
        if (_ackAll?.Covers(sequence) == true)
        {
            // Below an acknowledgement of AckPolicy: All, which covered only committed messages: logged already.
            return new Outcome(message, 0, null, true);
        }

        if (!batch.Take(sequence))
        {
            // Logged already (its acknowledgement was lost on the way, or the daemon was killed before it went):
            // acknowledged again, logged once. A second copy of a message this batch runs (delivered again after
            // AckWait while it waited) is asked for again instead: the first may yet be refused or fail, and an
            // acknowledgement would lose it.
            return new Outcome(message, 0, null, stream.Contains(sequence));
        }

        var data = message.Data ?? [];
        if (data.Length > context.MaxMessageBytes)
        {
            context.Listener.ErrorSeen(ErrorReasons.TooLarge);
            TooLarge(_logger, context.Name, message.Subject, data.Length);
            return new Outcome(message, sequence, null, true);
        }

        var origin = NatsOriginHeaders.Read(message.Headers, out var receivedText);
        var sender = batch.SenderOf(origin, receivedText);
        var target = sender.Context;
        var received = sender.ReceivedOf(receivedText);
        var receivedAt = received ?? DateTimeOffset.UtcNow;
        var intake = _intake ??= new MessageIntake(context, 0, target.Peer, PeerConnections.KeyOf(target.Peer), _stopping.Token);
        intake.From(target.Peer);
        if (!await intake.AdmitAsync())
        {
            // Refused by the rate limit: NATS delivers it again later, so that nothing it holds is lost to the limit.
            return new Outcome(message, 0, null, false);
        }

        try
        {
            await intake.DispatchAsync(target, new ReadOnlySequence<byte>(data), receivedAt, sender.OriginAt(received));
            sender.Sequences.Add(sequence);
            return new Outcome(message, sequence, target.TakeCommitment(), true);
        }
        catch (Exception ex)
        {
            _ = target.TakeCommitment();
            intake.Failed(ex);
            return new Outcome(message, 0, null, false);
        }
    }

    /// <summary>The message's stream sequence: from its reply subject, or else the client's metadata.</summary>
    private static ulong StreamSequenceOf(INatsJSMsg<byte[]> message) =>
        NatsReplySubject.TryStreamSequence(message.ReplyTo, out var sequence) ? sequence : message.Metadata?.Sequence.Stream ?? 0;

    /// <summary>
    /// Forgets the logged sequences JetStream will not deliver again (at or below the consumer's acknowledgement
    /// floor), which keeps the journal small when aggregators share the consumer.
    /// </summary>
    private async Task ForgetAcknowledgedAsync(INatsJSConsumer consumer, NatsLoggedStream stream)
    {
        try
        {
            await consumer.RefreshAsync(_stopping.Token);
            stream.Forget(consumer.Info.AckFloor.StreamSeq);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            // Asked again after the next batches.
        }
    }

    /// <summary>Acknowledges a committed message; asks NATS to deliver a failed one again.</summary>
    private async ValueTask SettleAsync(INatsJSMsg<byte[]> message, bool committed)
    {
        try
        {
            if (committed)
            {
                await message.AckAsync(cancellationToken: CancellationToken.None);
            }
            else
            {
                await message.NakAsync(cancellationToken: CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or ObjectDisposedException)
        {
            // NATS went away: the message comes again after AckWait and is recognised as logged.
            AckFailed(_logger, context.Name, ex.Message);
        }
    }

    private readonly record struct Outcome(INatsJSMsg<byte[]> Message, ulong Sequence, Task? Commitment, bool Ok);

    [LoggerMessage(EventIds.NatsConsuming, LogLevel.Information, "Listener {Listener}: consuming NATS stream {Stream} with durable consumer {Consumer} at {Endpoint}")]
    private static partial void Consuming(ILogger logger, string listener, string stream, string consumer, string endpoint);

    [LoggerMessage(EventIds.NatsConsumeFailed, LogLevel.Warning, "Listener {Listener}: NATS consumer failed ({Reason}); retrying")]
    private static partial void ConsumeFailed(ILogger logger, string listener, string reason);

    [LoggerMessage(EventIds.NatsAckFailed, LogLevel.Warning, "Listener {Listener}: acknowledging to NATS failed ({Reason}); the message will be delivered again and not logged twice")]
    private static partial void AckFailed(ILogger logger, string listener, string reason);

    [LoggerMessage(EventIds.NatsMessageTooLarge, LogLevel.Warning, "Listener {Listener}: dropped a message on {Subject} of {Bytes} bytes, over MaxMessageBytes")]
    private static partial void TooLarge(ILogger logger, string listener, string subject, int bytes);
}
