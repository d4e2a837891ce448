using System.Buffers;
using System.IO.Pipelines;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Connections;

namespace SocketDaemon.Protocols.Raw;

/// <summary>
/// A raw framing (seed, lines, octet counting): cuts the connection's bytes into messages for the pipeline, and parks
/// the connection between frames (<see cref="StreamConnection.TryPark"/>) so that an idle one holds no async state.
/// </summary>
internal sealed class RawFramingProtocol : IConnectionProtocol
{
    // Every framing cut into messages from a byte stream: what is not detection, a datagram, HTTP or the native protocol.
    public bool Speaks(FramingKind framing) => framing is not (FramingKind.Auto or FramingKind.Datagram or FramingKind.Http or FramingKind.Native);

    public async Task<bool> RunAsync(StreamConnection connection, bool resumed)
    {
        var framing = connection.Framing;
        if (!resumed)
        {
            // A framed connection resumes in its framing from any message boundary.
            connection.StoreAs(framing);
        }

        return await ReadMessagesAsync(connection, connection.Input, connection.Listener.GetReader(framing));
    }

    /// <summary>Reads messages until the connection ends; returns true when it parked instead.</summary>
    private static async Task<bool> ReadMessagesAsync(StreamConnection connection, PipeReader input, FrameReader reader)
    {
        // All the messages of one read go to the log writers as one hand-over, after the last of them. The context
        // outlives a park.
        var context = connection.MessageContext;
        context.BatchWrites = true;
        var consumption = connection.ConsumeWhenLogged(context);
        var intake = connection.Intake;
        var deadline = connection.Deadline;
        var oversize = default(OversizeState);
        var partial = false;
        while (true)
        {
            var timeout = deadline.NextTimeout(partial);
            if (!partial && !oversize.InFrame && connection.TryPark(timeout))
            {
                return true;
            }

            if (await connection.ReadAsync(timeout) is not { } result)
            {
                deadline.OnTimeout(partial, timeout);
                return false;
            }

            var buffer = result.Buffer;

            // The messages of one read arrived together: one clock reading (and one formatted timestamp) for all of them.
            var receivedAt = connection.Listener.Time.GetUtcNow();
            try
            {
                // The policy is read once per read: a reload applies from the next one.
                var policy = connection.Listener.Limits.Oversize;
                FrameResult read;
                var frameAt = buffer.Length;
                while ((read = reader.Read(ref buffer, policy, ref oversize, out var message)) != FrameResult.Incomplete)
                {
                    if (consumption is not null)
                    {
                        // The claims of the lines handed over during this message cover the frames before it.
                        consumption.Before(result.Buffer.Length - frameAt);
                        frameAt = buffer.Length;
                    }

                    await DeliverAsync(intake, context, read, message, reader.MaxMessageBytes, receivedAt);
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        read = reader.ReadFinal(buffer, policy, ref oversize, out var message);
                        consumption?.Before(result.Buffer.Length - buffer.Length);
                        await DeliverAsync(intake, context, read, message, reader.MaxMessageBytes, receivedAt);
                        buffer = buffer.Slice(buffer.End);
                    }

                    return false;
                }

                partial = deadline.Track(!buffer.IsEmpty || oversize.InFrame, buffer.Length);
                if (!partial && deadline.CloseForAge())
                {
                    return false;
                }
            }
            finally
            {
                intake.PublishCounts();
                if (consumption is null)
                {
                    await context.FlushAsync();
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                else
                {
                    // The bytes of the frames cut from this read leave the socket once their lines are in the log.
                    await consumption.FlushAsync(context, input, result.Buffer, buffer);
                }
            }
        }
    }

    // A message, or one cut to the limit, goes to the pipeline through the intake; a dropped frame is only counted.
    private static ValueTask DeliverAsync(MessageIntake intake, MessageContext context, FrameResult read, in ReadOnlySequence<byte> message, int limit, DateTimeOffset receivedAt)
    {
        if (read == FrameResult.Message)
        {
            return intake.DeliverAsync(context, message, receivedAt);
        }

        intake.Oversize(read, limit);
        return read == FrameResult.Truncated ? intake.DeliverAsync(context, message, receivedAt, truncated: true) : ValueTask.CompletedTask;
    }
}
