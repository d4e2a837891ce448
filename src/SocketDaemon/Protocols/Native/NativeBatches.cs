using System.Buffers;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Connections;

namespace SocketDaemon.Protocols.Native;

/// <summary>
/// The native protocol's batches: each runs through the pipeline, its acknowledgement waits until the log holds it as
/// durably as <c>Durability</c> asks and every handler's commitment is kept; in a session, messages already logged are
/// not run again.
/// </summary>
internal sealed class NativeBatches(MessageLogFiles logs, NativeSessions sessions)
{
    /// <summary>
    /// Runs a batch through the pipeline and queues its acknowledgement, which goes out once the log and every
    /// handler's commitment hold it (<see cref="SettleAsync"/>). In a session, messages numbered up to what the session
    /// already logged are counted but not run again, and the session's position moves, before the acknowledgement, to
    /// just before the first message worth sending again; the session's batches run one at a time, each seeing the
    /// position the one before moved. A clean batch (nothing refused, no commitments) lets the next batch of its
    /// connection that follows on from it run while it settles, so that many batches share one commit; any other
    /// batch first waits until every batch before it settled.
    /// </summary>
    public async ValueTask HandleBatchAsync(ulong sequence, NativeConnectionState state)
    {
        var session = state.Session;
        if (session is not null)
        {
            await session.Gate.WaitAsync();
        }

        try
        {
            var followsOn = session is not null && session.FollowOn == (state, sequence);
            if (session is not null && !followsOn)
            {
                // A resend (on this or a new connection) must see what the batches before it logged.
                await session.Unsettled.ContinueWith(static _ => { }, TaskScheduler.Default);
            }

            var count = state.Messages.Count;
            var skip = session is null || session.Logged < sequence ? 0 : (int)Math.Min((ulong)count, session.Logged - sequence + 1);
            var reply = new BatchReply(sequence);
            if (skip < count && logs.IsUnderPressure)
            {
                RefuseBusy(state, reply, skip);
                await state.Replies.AddAsync(reply);
                return;
            }

            state.Context.Features.Get<LogProgress>()?.Begin(sequence);
            reply.Accepted = skip + await DispatchBatchAsync(state, reply, skip);
            var clean = reply.Errors.Count == 0 && reply.Commitments.Count == 0;
            reply.Settled = SettleAsync(state.Connection, session, reply, count, followsOn ? session!.Unsettled : Task.CompletedTask);
            await state.Replies.AddAsync(reply);
            if (session is not null)
            {
                session.Unsettled = reply.Settled;
                session.FollowOn = clean ? (state, sequence + (ulong)count) : default;
                if (!clean)
                {
                    await reply.Settled;
                }
            }
        }
        finally
        {
            session?.Gate.Release();
        }
    }

    /// <summary>
    /// Waits until the batch's lines are as durable as <c>Durability</c> asks and its commitments are kept, then moves
    /// a session's position: what its acknowledgement waits for. The commit is asked for at once, behind the batch's lines;
    /// the position moves only after the session's batch before (<paramref name="before"/>) moved it, so in order.
    /// </summary>
    private async Task SettleAsync(StreamConnection connection, NativeSession? session, BatchReply reply, int count, Task before)
    {
        await logs.CommitAsync();
        reply.Accepted -= await AwaitCommitmentsAsync(connection, reply);
        if (session is not null)
        {
            await before;
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
    private static void RefuseBusy(NativeConnectionState state, BatchReply reply, int skip)
    {
        for (var i = skip; i < state.Messages.Count; i++)
        {
            reply.Errors.Add((i, NativeErrorCode.Busy));
        }

        reply.Accepted = skip;
        state.Messages.Clear();
        state.Connection.Listener.Listener.ErrorSeen(ErrorReasons.Busy);
    }

    private static async ValueTask<int> DispatchBatchAsync(NativeConnectionState state, BatchReply reply, int skip)
    {
        var connection = state.Connection;
        var intake = connection.Intake;
        var accepted = 0;
        var receivedAt = connection.Listener.Time.GetUtcNow();

        // Set between batches (a session's start), so looked up once a batch; and whether a message was refused, which
        // the batch's errors say too, kept here rather than searched for at each message.
        var progress = state.Context.Features.Get<LogProgress>();
        var refused = false;
        for (var i = skip; i < state.Messages.Count; i++)
        {
            Reached(progress, refused, i);
            var (message, originBytes) = state.Messages[i];
            if (message.Length > connection.Listener.MaxMessageBytes)
            {
                reply.Errors.Add((i, NativeErrorCode.TooLarge));
                connection.Listener.Listener.ErrorSeen(ErrorReasons.TooLarge);
                continue;
            }

            // In a session the messages after a failed one wait for the resend, so that it runs them in order, once.
            if (state.Session is not null && refused)
            {
                reply.Errors.Add((i, NativeErrorCode.Busy));
                continue;
            }

            if (!await intake.AdmitAsync())
            {
                reply.Errors.Add((i, NativeErrorCode.RateLimited));
                refused = true;
                continue;
            }

            try
            {
                var origin = originBytes.IsEmpty ? null : state.ReadOrigin(originBytes);
                // With a rate limit the message may have waited (Action: delay): it is read when the wait ends.
                await intake.DispatchAsync(state.Context, message, intake.Stamp(receivedAt), origin);
                if (state.Context.TakeCommitment() is { } commitment)
                {
                    reply.AddCommitment(i, commitment);
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
                refused = true;
                intake.Failed(ex, i);
            }
        }

        // The batch's lines go to the log writers in one hand-over, before the commit that the acknowledgement waits for.
        Reached(progress, refused, state.Messages.Count);
        intake.PublishCounts();
        await state.Context.FlushAsync();
        state.Messages.Clear();
        return accepted;
    }

    /// <summary>
    /// In a session, lines handed to the log from here on prove every message before <paramref name="index"/> logged
    /// (their claim goes with them: <see cref="NativeSessions"/>), unless one before it was <paramref name="refused"/>.
    /// </summary>
    private static void Reached(LogProgress? progress, bool refused, int index)
    {
        if (progress is not null && !refused)
        {
            progress.At(index);
        }
    }

    /// <summary>
    /// Waits for what handlers added (<see cref="MessageContext.AddCommitment"/>), all of the batch's at once; a
    /// message whose commitment failed is refused. Returns how many were.
    /// </summary>
    private static async ValueTask<int> AwaitCommitmentsAsync(StreamConnection connection, BatchReply reply)
    {
        if (reply.Commitments.Count == 0)
        {
            return 0;
        }

        var failed = 0;
        foreach (var (first, last, commitment) in reply.Commitments)
        {
            try
            {
                await commitment;
            }
            catch (Exception ex)
            {
                // Given up at a stop, or refused by the next hop for now (NATS, an upstream): either way, send it again.
                for (var index = first; index <= last; index++)
                {
                    failed++;
                    reply.Errors.Add((index, ex is OperationCanceledException ? NativeErrorCode.ShuttingDown : NativeErrorCode.Busy));
                    connection.Intake.Failed(ex, index);
                }
            }
        }

        reply.Commitments.Clear();
        reply.Errors.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return failed;
    }
}
