using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Client.Status;
using SocketDaemon.Framing;
using SocketDaemon.Hosting;
using SocketDaemon.Listeners;
using SocketDaemon.Listeners.Internal;
using SocketDaemon.Pipeline;
using SocketDaemon.Status;
using SocketDaemon.Tail;

namespace SocketDaemon.Native;

/// <summary>
/// Serves the client library's native protocol on a stream connection (<c>docs/protocol.md</c>): version negotiation,
/// then batches acknowledged once the pipeline has taken every message and the log holds it as durably as
/// <c>Durability</c> asks, and status and quit requests.
/// </summary>
internal sealed partial class NativeProtocolHandler(DaemonStatusProvider status, DaemonCommands commands, MessageLogFiles logs, TailHub tail, NativeSessions sessions, ILogger<NativeProtocolHandler> logger) : IConnectionProtocol
{
    /// <summary>The largest frame the daemon reads: room for a full batch, or for one message at the limit.</summary>
    public static int MaxFrameBytes(int maxMessageBytes) => Math.Max(4 * 1024 * 1024, (2 * maxMessageBytes) + 64);

    /// <summary>Serves <paramref name="connection"/>; <paramref name="resumed"/> when a previous run negotiated its preface.</summary>
    public async Task<bool> RunAsync(StreamConnection connection, bool resumed)
    {
        await ServeAsync(connection, resumed);
        return false;
    }

    private async Task ServeAsync(StreamConnection connection, bool resumed)
    {
        var output = connection.Output;

        // A connection taken back from systemd's store negotiated its version with the previous run; the newest one
        // only adds frame types, which an older client never sends.
        var chosen = NativeProtocol.Version;
        if (!resumed)
        {
            var version = await ReadPrefaceAsync(connection);
            if (version is null)
            {
                return;
            }

            chosen = Math.Min(version.Value, NativeProtocol.Version);
            NativeFrameWriter.WritePreface(output, chosen);
            await output.FlushAsync();
            if (version == 0)
            {
                return;
            }

            // From here on the connection is a sequence of frames, which the next run can read on from.
            connection.StoreAs(FramingKind.Native);
        }

        var state = new BatchState(connection, chosen);
        try
        {
            await ReadFramesAsync(state);
        }
        catch
        {
            await state.Replies.AbandonAsync();
            throw;
        }

        await state.Replies.CompleteAsync();
    }

    // Reads frames until the connection ends: batches go through the pipeline one after the other while the
    // acknowledgements of earlier ones wait for the log (NativeReplies), up to NativeReplies.Capacity of them.
    private async Task ReadFramesAsync(BatchState state)
    {
        var connection = state.Connection;
        var maxFrame = MaxFrameBytes(connection.Listener.MaxMessageBytes);
        var partial = false;
        while (true)
        {
            if (connection.Stopping.IsCancellationRequested)
            {
                // A read now may hand the connection to the next run, which knows nothing of the batches acknowledged
                // here: every one read goes out first.
                await state.Replies.DrainAsync();
            }

            if (await connection.ReadFrameAsync(partial) is not { } result)
            {
                return;
            }

            // A reply that could not be written woke the read: the connection ends with its reason.
            state.Replies.ThrowIfFaulted();
            var buffer = result.Buffer;
            try
            {
                while (NativeFrameReader.TryReadFrame(ref buffer, maxFrame, out var frame))
                {
                    await HandleAsync(frame, state);
                }
            }
            catch (NativeProtocolException ex)
            {
                throw new FramingException(FramingError.Protocol, ex.Message);
            }
            finally
            {
                connection.Input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (state.Tail is { } request)
            {
                await state.Replies.DrainAsync();
                await TailAsync(connection, request.Id, request.Listener, request.Grep);
                return;
            }

            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    throw new FramingException(FramingError.Truncated, $"connection closed {buffer.Length} bytes into a native frame");
                }

                return;
            }

            partial = connection.Deadline.Track(!buffer.IsEmpty, buffer.Length);
            if (!partial && connection.Deadline.CloseForAge())
            {
                // Every batch read is acknowledged: the client reconnects and loses nothing.
                return;
            }
        }
    }

    private static async Task<byte?> ReadPrefaceAsync(StreamConnection connection)
    {
        while (true)
        {
            if (await connection.ReadFrameAsync(midFrame: true) is not { } result)
            {
                return null;
            }

            var buffer = result.Buffer;
            bool complete;
            byte version;
            try
            {
                complete = NativeFrameReader.TryReadPreface(ref buffer, out version);
            }
            catch (NativeProtocolException ex)
            {
                throw new FramingException(FramingError.Protocol, ex.Message);
            }

            if (complete)
            {
                // Frames that came with the preface are not examined yet: the next read must hand them over at once.
                connection.Input.AdvanceTo(buffer.Start);
                return version;
            }

            connection.Input.AdvanceTo(buffer.Start, buffer.End);

            if (result.IsCompleted)
            {
                throw new FramingException(FramingError.Truncated, "connection closed inside the native-protocol preface");
            }
        }
    }

    private async ValueTask HandleAsync(NativeFrame frame, BatchState state)
    {
        switch (frame.Type)
        {
            case NativeFrameType.Batch:
                var sequence = NativeFrameReader.ReadBatch(frame.Body, state.Messages, static (messages, message) => messages.Add((message, default)));
                await HandleBatchAsync(sequence, state);
                return;

            case NativeFrameType.OriginBatch when state.Version >= NativeProtocol.SessionVersion:
                sequence = NativeFrameReader.ReadOriginBatch(frame.Body, state.Messages, static (messages, origin, message) => messages.Add((message, origin)));
                await HandleBatchAsync(sequence, state);
                return;
        }

        // Any other request is answered after the acknowledgements of the batches before it, and flushed on its own:
        // the replies' loop owns the output again from the next batch.
        await state.Replies.DrainAsync();
        await HandleRequestAsync(frame, state);
        await state.Connection.Output.FlushAsync();
    }

    private async ValueTask HandleRequestAsync(NativeFrame frame, BatchState state)
    {
        var connection = state.Connection;
        var output = connection.Output;
        switch (frame.Type)
        {
            case NativeFrameType.Session when state.Version >= NativeProtocol.SessionVersion:
                var sessionRequest = NativeFrameReader.ReadSession(frame.Body, out var sessionId);
                state.Session = sessions.Get(sessionId);
                state.Context.Progress = sessions.ProgressOf(state.Session);
                NativeFrameWriter.WriteIdFrame(output, NativeFrameType.Ok, sessionRequest);
                break;

            case NativeFrameType.Status when !connection.Listener.Listener.AllowStatus:
                NativeFrameWriter.WriteError(output, NativeFrameReader.ReadId(frame.Body), NativeErrorCode.Forbidden, $"listener {connection.Listener.Name} does not answer status requests (AllowStatus)");
                break;

            case NativeFrameType.Status:
                var json = JsonSerializer.SerializeToUtf8Bytes(status.GetStatus(), StatusJsonContext.Default.DaemonStatus);
                NativeFrameWriter.WriteStatusReply(output, NativeFrameReader.ReadId(frame.Body), json);
                break;

            case NativeFrameType.Quit:
                var id = NativeFrameReader.ReadId(frame.Body);
                if (commands.IsStopping)
                {
                    NativeFrameWriter.WriteError(output, id, NativeErrorCode.ShuttingDown, "the daemon is already stopping");
                }
                else if (commands.MayQuit(connection.Listener.Name, connection.Peer))
                {
                    // The answer goes out before the stop begins, so the client hears it.
                    NativeFrameWriter.WriteIdFrame(output, NativeFrameType.Ok, id);
                    await output.FlushAsync();
                    commands.TryQuit(connection.Listener.Name, connection.Peer);
                }
                else
                {
                    commands.TryQuit(connection.Listener.Name, connection.Peer);
                    NativeFrameWriter.WriteError(output, id, NativeErrorCode.Forbidden, $"{connection.Peer} may not stop the daemon");
                }

                break;

            case NativeFrameType.Tail when !connection.Listener.Listener.AllowStatus:
                NativeFrameWriter.WriteError(output, NativeFrameReader.ReadTail(frame.Body, out _, out _), NativeErrorCode.Forbidden, $"listener {connection.Listener.Name} does not answer tail requests (AllowStatus)");
                break;

            case NativeFrameType.Tail:
                var tailId = NativeFrameReader.ReadTail(frame.Body, out var listener, out var grep);
                state.Tail = (tailId, listener, grep);
                break;

            default:
                NativeFrameWriter.WriteError(output, 0, NativeErrorCode.Malformed, $"unknown frame type 0x{(byte)frame.Type:x2}");
                await output.FlushAsync();
                throw new NativeProtocolException($"unknown frame type 0x{(byte)frame.Type:x2}");
        }
    }

    /// <summary>
    /// Runs a batch through the pipeline and queues its acknowledgement, which goes out once the log and every
    /// handler's commitment hold it (<see cref="SettleAsync"/>). In a session, messages numbered up to what the session
    /// already logged are counted but not run again, and the session's position moves, before the acknowledgement, to
    /// just before the first message worth sending again; the session's batches run one at a time, each seeing the
    /// position the one before moved.
    /// </summary>
    private async ValueTask HandleBatchAsync(ulong sequence, BatchState state)
    {
        var session = state.Session;
        if (session is not null)
        {
            await session.Gate.WaitAsync();
        }

        try
        {
            var count = state.Messages.Count;
            var skip = session is null || session.Logged < sequence ? 0 : (int)Math.Min((ulong)count, session.Logged - sequence + 1);
            var reply = new BatchReply(sequence);
            if (skip < count && logs.IsUnderPressure)
            {
                RefuseBusy(state, reply, skip);
                await state.Replies.AddAsync(reply);
                return;
            }

            state.Context.Progress?.Begin(sequence);
            reply.Accepted = skip + await DispatchBatchAsync(state, reply, skip);
            reply.Settled = SettleAsync(state.Connection, session, reply, count);
            await state.Replies.AddAsync(reply);
            if (session is not null)
            {
                await reply.Settled;
            }
        }
        finally
        {
            session?.Gate.Release();
        }
    }

    /// <summary>
    /// Waits until the batch's lines are as durable as <c>Durability</c> asks and its commitments are kept, then moves
    /// a session's position: what its acknowledgement waits for. The commit is asked for at once, behind the batch's lines.
    /// </summary>
    private async Task SettleAsync(StreamConnection connection, NativeSession? session, BatchReply reply, int count)
    {
        await logs.CommitAsync();
        reply.Accepted -= await AwaitCommitmentsAsync(connection, reply);
        if (session is not null)
        {
            // A message too large stays too large: the position moves past it. Any other refusal may pass later.
            var retry = reply.Errors.Find(static e => e.Code != NativeErrorCode.TooLarge) is { Code: not NativeErrorCode.None } first ? first.Index : count;
            if (retry > 0)
            {
                sessions.Advance(session, reply.Sequence + (ulong)retry - 1);
            }
        }
    }

    /// <summary>
    /// Answers <c>Busy</c> to every message of a batch not logged yet, taking none: the log's queue is full or the log
    /// cannot be written, and a batch taken now would wait there in memory. The client sends it again after a pause,
    /// while raw-framing readers simply stop reading.
    /// </summary>
    private static void RefuseBusy(BatchState state, BatchReply reply, int skip)
    {
        for (var i = skip; i < state.Messages.Count; i++)
        {
            reply.Errors.Add((i, NativeErrorCode.Busy));
        }

        reply.Accepted = skip;
        state.Messages.Clear();
        state.Connection.Listener.Listener.ErrorSeen(ErrorReasons.Busy);
    }

    private async ValueTask<int> DispatchBatchAsync(BatchState state, BatchReply reply, int skip)
    {
        var connection = state.Connection;
        var accepted = 0;
        var receivedAt = connection.Listener.Time.GetUtcNow();
        for (var i = skip; i < state.Messages.Count; i++)
        {
            Reached(state, reply, i);
            var (message, originBytes) = state.Messages[i];
            if (message.Length > connection.Listener.MaxMessageBytes)
            {
                reply.Errors.Add((i, NativeErrorCode.TooLarge));
                connection.Listener.Listener.ErrorSeen(ErrorReasons.TooLarge);
                continue;
            }

            // In a session the messages after a failed one wait for the resend, so that it runs them in order, once.
            if (state.Session is not null && reply.Errors.Any(static e => e.Code != NativeErrorCode.TooLarge))
            {
                reply.Errors.Add((i, NativeErrorCode.Busy));
                continue;
            }

            if (!await connection.Intake.AdmitAsync())
            {
                reply.Errors.Add((i, NativeErrorCode.RateLimited));
                continue;
            }

            try
            {
                var origin = originBytes.IsEmpty ? null : MessageOrigin.Read(originBytes);
                // With a rate limit the message may have waited (Action: delay): it is read when the wait ends.
                await connection.Intake.DispatchAsync(state.Context, message, connection.Intake.Stamp(receivedAt), origin);
                if (state.Context.TakeCommitment() is { } commitment)
                {
                    reply.Commitments.Add((i, commitment));
                }

                accepted++;
            }
            catch (NativeProtocolException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                reply.Errors.Add((i, ex is SpoolFullException ? NativeErrorCode.Busy : NativeErrorCode.Internal));
                connection.Listener.Listener.ErrorSeen(ErrorReasons.HandlerFailed);
                MessageFailed(logger, ex, connection.Listener.Name, connection.Id, i);
            }
        }

        // The batch's lines go to the log writers in one hand-over, before the commit that the acknowledgement waits for.
        Reached(state, reply, state.Messages.Count);
        connection.Intake.PublishCounts();
        await state.Context.FlushAsync();
        state.Messages.Clear();
        return accepted;
    }

    /// <summary>
    /// In a session, lines handed to the log from here on prove every message before <paramref name="index"/> logged
    /// (their claim goes with them: <see cref="NativeSessions"/>), unless one before it was refused.
    /// </summary>
    private static void Reached(BatchState state, BatchReply reply, int index)
    {
        if (state.Context.Progress is { } progress && !reply.Errors.Exists(static e => e.Code != NativeErrorCode.TooLarge))
        {
            progress.At(index);
        }
    }

    /// <summary>
    /// Waits for what handlers added (<see cref="MessageContext.AddCommitment"/>), all of the batch's at once; a
    /// message whose commitment failed is refused. Returns how many were.
    /// </summary>
    private async ValueTask<int> AwaitCommitmentsAsync(StreamConnection connection, BatchReply reply)
    {
        if (reply.Commitments.Count == 0)
        {
            return 0;
        }

        var failed = 0;
        foreach (var (index, commitment) in reply.Commitments)
        {
            try
            {
                await commitment;
            }
            catch (Exception ex)
            {
                failed++;
                // Given up at a stop, or refused by the next hop for now (NATS, an upstream): either way, send it again.
                reply.Errors.Add((index, ex is OperationCanceledException ? NativeErrorCode.ShuttingDown : NativeErrorCode.Busy));
                connection.Listener.Listener.ErrorSeen(ErrorReasons.HandlerFailed);
                MessageFailed(logger, ex, connection.Listener.Name, connection.Id, index);
            }
        }

        reply.Commitments.Clear();
        reply.Errors.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return failed;
    }

    /// <summary>
    /// Turns the connection into a follower: every message that passes its filter, as JSON, until the client closes
    /// or the daemon stops. A slow client misses messages and gets a count of them; it never holds up ingestion.
    /// </summary>
    private async Task TailAsync(StreamConnection connection, ulong id, string listener, string grep)
    {
        var output = connection.Output;

        // A follower's subscription is this process's; it ends with the stop rather than move to the next run.
        connection.LeaveStore();
        var subscription = tail.Subscribe(listener, grep);
        try
        {
            NativeFrameWriter.WriteIdFrame(output, NativeFrameType.Ok, id);
            await output.FlushAsync();
            var closed = WaitForCloseAsync(connection);
            var count = new byte[sizeof(ulong)];
            while (true)
            {
                var ready = subscription.Reader.WaitToReadAsync(connection.Stopping).AsTask();
                if (await Task.WhenAny(ready, closed) == closed || !await ready)
                {
                    return;
                }

                while (subscription.Reader.TryRead(out var json))
                {
                    NativeFrameWriter.WriteIdPayload(output, NativeFrameType.TailMessage, id, json);
                }

                if (subscription.TakeSkipped() is var skipped and > 0)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(count, skipped);
                    NativeFrameWriter.WriteIdPayload(output, NativeFrameType.Skipped, id, count);
                }

                if ((await output.FlushAsync()).IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (connection.Stopping.IsCancellationRequested)
        {
        }
        finally
        {
            tail.Unsubscribe(subscription);
        }
    }

    // A follower sends nothing more; the end of its input is the end of the tail.
    private static async Task WaitForCloseAsync(StreamConnection connection)
    {
        while (true)
        {
            var result = await connection.Input.ReadAsync();
            connection.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || (result.IsCanceled && connection.Stopping.IsCancellationRequested))
            {
                return;
            }
        }
    }

    [LoggerMessage(40, LogLevel.Error, "Listener {Listener}: connection #{ConnectionId}: message {Index} of a batch failed in the pipeline")]
    private static partial void MessageFailed(ILogger logger, Exception exception, string listener, long connectionId, int index);

    /// <summary>What a connection reuses from batch to batch, so that a batch allocates nothing per message.</summary>
    private sealed class BatchState(StreamConnection connection, byte version)
    {
        public StreamConnection Connection { get; } = connection;

        public byte Version { get; } = version;

        public NativeSession? Session { get; set; }

        public MessageContext Context { get; } = CreateBatchContext(connection);

        public List<(ReadOnlySequence<byte> Message, ReadOnlySequence<byte> Origin)> Messages { get; } = [];

        public NativeReplies Replies { get; } = new(connection.Output, connection.Input.CancelPendingRead);

        private static MessageContext CreateBatchContext(StreamConnection connection)
        {
            var context = connection.CreateMessageContext(FramingKind.Native);
            context.BatchWrites = true;
            return context;
        }

        public (ulong Id, string Listener, string Grep)? Tail { get; set; }
    }
}
