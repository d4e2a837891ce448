using System.Buffers.Binary;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Connections;
using SocketDaemon.Pipeline.Tail;

namespace SocketDaemon.Protocols.Native;

/// <summary>A native connection turned follower: the messages that pass its filter, as JSON, until it closes.</summary>
internal sealed class NativeTailStream(TailHub tail)
{
    /// <summary>
    /// Turns the connection into a follower: every message that passes its filter, as JSON, until the client closes
    /// or the daemon stops. A slow client misses messages and gets a count of them; it never holds up ingestion.
    /// </summary>
    public async Task RunAsync(StreamConnection connection, ulong id, string listener, string grep)
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
                    BinaryPrimitives.WriteInt64BigEndian(count, skipped);
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
}
