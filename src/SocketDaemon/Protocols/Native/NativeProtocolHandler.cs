using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Status;
using SocketDaemon.Connections;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Pipeline.Tail;

namespace SocketDaemon.Protocols.Native;

/// <summary>
/// Serves the client library's native protocol on a stream connection (<c>docs/protocol.md</c>): version negotiation,
/// then frames, each handed to the mode it belongs to: batches (<see cref="NativeBatches"/>), requests such as status
/// and quit (<see cref="NativeRequests"/>), and a tail that turns the connection into a follower (<see cref="NativeTailStream"/>).
/// </summary>
internal sealed class NativeProtocolHandler : IConnectionProtocol
{
    private readonly NativeBatches _batches;
    private readonly NativeRequests _requests;
    private readonly NativeTailStream _tail;

    public NativeProtocolHandler(DaemonStatusProvider status, DaemonCommands commands, MessageLogFiles logs, TailHub tail, NativeSessions sessions)
    {
        _batches = new NativeBatches(logs, sessions);
        _requests = new NativeRequests(status, commands, sessions);
        _tail = new NativeTailStream(tail);
    }

    /// <summary>The largest frame the daemon reads: room for a full batch, or for one message at the limit.</summary>
    public static int MaxFrameBytes(int maxMessageBytes) => Math.Max(4 * 1024 * 1024, (2 * maxMessageBytes) + 64);

    /// <summary>Serves <paramref name="connection"/>; <paramref name="resumed"/> when a previous run negotiated its preface.</summary>
    public bool Speaks(FramingKind framing) => framing == FramingKind.Native;

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

        var state = new NativeConnectionState(connection, chosen);
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
    private async Task ReadFramesAsync(NativeConnectionState state)
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
                await _tail.RunAsync(connection, request.Id, request.Listener, request.Grep);
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

    private async ValueTask HandleAsync(NativeFrame frame, NativeConnectionState state)
    {
        switch (frame.Type)
        {
            case NativeFrameType.Batch:
                var sequence = NativeFrameReader.ReadBatch(frame.Body, state.Messages, static (messages, message) => messages.Add((message, default)));
                await _batches.HandleBatchAsync(sequence, state);
                return;

            case NativeFrameType.OriginBatch when state.Version >= NativeProtocol.SessionVersion:
                sequence = NativeFrameReader.ReadOriginBatch(frame.Body, state.Messages, static (messages, origin, message) => messages.Add((message, origin)));
                await _batches.HandleBatchAsync(sequence, state);
                return;
        }

        // Any other request is answered after the acknowledgements of the batches before it, and flushed on its own:
        // the replies' loop owns the output again from the next batch.
        await state.Replies.DrainAsync();
        await _requests.HandleAsync(frame, state);
        await state.Connection.Output.FlushAsync();
    }
}
