using System.Buffers;
using System.Net.Sockets;
using SocketDaemon.Client;
using SocketDaemon.Client.Internal;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>Native protocol version 2: sessions that de-duplicate resent batches, origins, and version-1 clients.</summary>
public class NativeSessionTests
{
    [Fact]
    public async Task A_batch_sent_again_in_its_session_is_acknowledged_but_logged_once_even_after_a_daemon_restart()
    {
        using var state = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["SocketDaemon:StateDirectory"] = state.Path };
        var session = Guid.NewGuid();
        await using (var daemon = await TestDaemon.StartAsync(settings))
        {
            await using (var first = await OpenSessionAsync(daemon.Unix, session))
            {
                Assert.Equal(3, (await SendAsync(first, 1, "a", "b", "c")).Accepted);
            }

            // The acknowledgement was "lost": the sender sends the batch again, this time with one more message.
            await using var second = await OpenSessionAsync(daemon.Unix, session);
            Assert.Equal(4, (await SendAsync(second, 1, "a", "b", "c", "d")).Accepted);
            Assert.Equal(["a", "b", "c", "d"], daemon.Log.Texts());
        }

        await using var restarted = await TestDaemon.StartAsync(settings);
        await using var third = await OpenSessionAsync(restarted.Unix, session);
        Assert.Equal(3, (await SendAsync(third, 3, "c", "d", "e")).Accepted);
        Assert.Equal(["e"], restarted.Log.Texts());
    }

    [Fact]
    public async Task A_forwarded_message_is_logged_with_its_origin_properties()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Log",
            ["SocketDaemon:Pipeline:0:OutputTemplate"] = "{OriginHost}|{OriginListener}|{OriginPeer}|{OriginReceivedAt:yyyy-MM-dd} #{ConnectionId}: {Text:l}{NewLine}",
        });
        await using var connection = await OpenSessionAsync(daemon.Unix, Guid.NewGuid());
        var origin = new MessageOrigin
        {
            Host = "edge-1",
            Listener = "app",
            Peer = "pid=42 uid=1000 gid=1000 comm=app",
            ReceivedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            ProcessId = 42,
            UserId = 1000,
            GroupId = 1000,
            ProcessName = "app",
        };

        await SendAsync(connection, 1, origin, "from afar");

        Assert.StartsWith("edge-1|app|pid=42 uid=1000 gid=1000 comm=app|2026-01-02 #", await daemon.Log.WaitForTextAsync("from afar"));
        Assert.Equal(origin, MessageOrigin.Read(new ReadOnlySequence<byte>(Written(origin.Write))));
    }

    [Fact]
    public async Task A_version_1_client_is_answered_in_version_1_and_its_batches_are_logged()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var raw = await RawClient.ConnectAsync(daemon.Unix);
        var frames = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WritePreface(frames, version: 1);
        var batch = NativeFrameWriter.BeginBatch(frames, 7);
        batch.Add("old client");
        batch.Complete();

        await raw.SendAsync(frames.WrittenSpan.ToArray());

        var reply = new byte[64];
        var total = 0;
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        while (total < NativeProtocol.PrefaceSize + 21)
        {
            total += await raw.Socket.ReceiveAsync(reply.AsMemory(total), SocketFlags.None, timeout.Token);
        }

        var input = new ReadOnlySequence<byte>(reply, 0, total);
        Assert.True(NativeFrameReader.TryReadPreface(ref input, out var version));
        Assert.Equal(1, version);
        Assert.True(NativeFrameReader.TryReadFrame(ref input, 1024, out var ack));
        Assert.Equal(7UL, NativeFrameReader.ReadAck(ack.Body, out var accepted, out _));
        Assert.Equal(1, accepted);
        Assert.Equal(["old client"], daemon.Log.Texts());
    }

    private static async Task<NativeConnection> OpenSessionAsync(SocketEndpoint endpoint, Guid session)
    {
        var connection = await SocketDaemonClient.ConnectNativeAsync(endpoint, Wait.Timeout, CancellationToken.None);
        Assert.Equal(NativeProtocol.Version, connection.Version);
        var frame = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WriteSession(frame, 0, session);
        Assert.Equal(NativeFrameType.Ok, (await connection.RequestAsync(0, frame.WrittenMemory, CancellationToken.None).WaitAsync(Wait.Timeout)).Type);
        return connection;
    }

    private static Task<NativeReply> SendAsync(NativeConnection connection, ulong sequence, params string[] messages) =>
        SendAsync(connection, sequence, null, messages);

    private static async Task<NativeReply> SendAsync(NativeConnection connection, ulong sequence, MessageOrigin? origin, params string[] messages)
    {
        var frame = new ArrayBufferWriter<byte>();
        var batch = NativeFrameWriter.BeginOriginBatch(frame, sequence);
        foreach (var message in messages)
        {
            batch.AddEntry(Written(output => NativeFrameWriter.WriteOriginEntry(output, origin, new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(message)))));
        }

        batch.Complete();
        return await connection.RequestAsync(sequence, frame.WrittenMemory, CancellationToken.None).WaitAsync(Wait.Timeout);
    }

    private static byte[] Written(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }
}
