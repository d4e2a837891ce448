using System.Buffers;
using System.Text;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Connections;

/// <summary>What a connection speaks, chosen once from its first bytes, each over an in-memory transport.</summary>
public class ConnectionProtocolTests
{
    private static readonly Dictionary<string, string?> Auto = new() { ["SocketDaemon:Listeners:unix:Framing"] = "auto" };

    [Fact]
    public async Task Lines_are_detected_and_each_line_is_logged_as_a_message()
    {
        await using var listener = await MemoryListener.StartAsync(Auto);
        var (connection, peer) = await listener.ConnectAsync("<13>first line\nsecond line\n"u8.ToArray());

        await listener.Daemon.Log.WaitForTextAsync("second line");
        await peer.ToDaemon.CompleteAsync();
        await MemoryListener.ClosedAsync(connection);
        Assert.Equal(FramingKind.Lines, connection.Framing);
        Assert.Equal(2, connection.Messages);
    }

    [Fact]
    public async Task An_HTTP_request_is_answered_and_the_connection_closed()
    {
        await using var listener = await MemoryListener.StartAsync(Auto);
        var (connection, peer) = await listener.ConnectAsync("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

        var reply = Encoding.ASCII.GetString(await peer.ReadAllFromDaemonAsync());
        await MemoryListener.ClosedAsync(connection);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", reply, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nok\n", reply, StringComparison.Ordinal);
        Assert.Equal(FramingKind.Http, connection.Framing);
    }

    [Fact]
    public async Task A_native_batch_is_logged_and_acknowledged()
    {
        await using var listener = await MemoryListener.StartAsync(Auto);
        var request = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WritePreface(request);
        WriteBatch(request, sequence: 1, "native one", "native two");
        var (connection, peer) = await listener.ConnectAsync(request.WrittenMemory);

        await listener.Daemon.Log.WaitForTextAsync("native two");
        await peer.ToDaemon.CompleteAsync();
        var reply = await peer.ReadAllFromDaemonAsync();
        await MemoryListener.ClosedAsync(connection);
        Assert.Equal(FramingKind.Native, connection.Framing);
        Assert.True(reply.AsSpan().StartsWith(NativeProtocol.Magic), "no preface in the reply");
        Assert.True(reply.Length > NativeProtocol.PrefaceSize + NativeProtocol.FrameHeaderSize, "no acknowledgement after the preface");
        Assert.Equal((byte)NativeFrameType.Ack, reply[NativeProtocol.PrefaceSize + 4]);
        Assert.Equal(0, listener.Bound.Errors);
    }

    [Fact]
    public async Task A_native_frame_of_length_0_closes_at_once_as_a_protocol_error()
    {
        await using var listener = await MemoryListener.StartAsync(Auto);
        var request = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WritePreface(request);
        request.Write(new byte[4]);

        // No advance of the clock: a timeout cannot be what closes it.
        var (connection, _) = await listener.ConnectAsync(request.WrittenMemory);

        await MemoryListener.ClosedAsync(connection);
        Assert.Equal(1, listener.Bound.ErrorsByReason.GetValueOrDefault("protocol"));
        Assert.Equal(0, listener.Bound.ErrorsByReason.GetValueOrDefault("timeout"));
    }

    private static void WriteBatch(ArrayBufferWriter<byte> output, ulong sequence, params string[] messages)
    {
        var batch = NativeFrameWriter.BeginBatch(output, sequence);
        foreach (var message in messages)
        {
            batch.Add(message);
        }

        batch.Complete();
    }
}
