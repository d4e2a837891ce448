using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>The client library's native protocol: acknowledged batches, typed errors, status and quit.</summary>
public class NativeProtocolTests
{
    [Fact]
    public async Task Send_completes_only_when_the_message_is_in_the_log()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);

        await client.SendAsync("acknowledged");

        // No waiting: the acknowledgement means the line is already written.
        Assert.Equal(["acknowledged"], daemon.Log.Texts());
    }

    [Fact]
    public async Task Send_many_pipelines_batches_and_every_message_is_in_the_log_when_it_returns()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Tcp, new SocketDaemonClientOptions { BatchMessages = 100, MaxInFlightBatches = 4 });

        var sent = await client.SendManyAsync(Enumerable.Range(0, 20_000).Select(i => $"pipelined {i}"));

        Assert.Equal(20_000, sent);
        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => $"pipelined {i}"), daemon.Log.Texts());
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_by_itself_and_the_connection_goes_on()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:MaxMessageBytes"] = "10" });
        await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);

        var error = await Assert.ThrowsAsync<SocketDaemonException>(() => client.SendManyAsync(["short", "far too long for the limit", "also ok"]));
        await client.SendAsync("still here");

        Assert.Equal(NativeErrorCode.TooLarge, error.Code);
        Assert.Equal([(1L, NativeErrorCode.TooLarge)], error.Refused);
        Assert.Equal(["short", "also ok", "still here"], daemon.Log.Texts());
        Assert.Equal(1, daemon.Listeners["unix"].ErrorsByReason["too_large"]);
    }

    [Fact]
    public async Task Status_reports_listeners_and_counters()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);
        await client.SendManyAsync(["a", "b"]);

        var status = await client.GetStatusAsync();

        Assert.Equal(Environment.ProcessId, status.ProcessId);
        Assert.Equal(daemon.Unix.ToString(), status.Listeners.Single(l => l.Name == "unix").Endpoint);
        Assert.Equal(2, status.Listeners.Single(l => l.Name == "unix").Messages);
        Assert.Equal(1, status.Listeners.Single(l => l.Name == "unix").OpenConnections);
        var connection = Assert.Single(status.Connections);
        Assert.Equal("unix", connection.Listener);
        Assert.Equal("native", connection.Framing);
        Assert.Equal(2, connection.Messages);
        Assert.Equal(Environment.ProcessId, connection.ProcessId);
        Assert.Equal(File.ReadAllText("/proc/self/comm").TrimEnd('\n'), connection.ProcessName);
        Assert.NotNull(connection.UserId);
    }

    [Fact]
    public async Task Quit_from_an_allowed_peer_stops_the_daemon_and_returns_once_it_has_closed_the_connection()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var lifetime = daemon.Host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = daemon.Host.WaitForShutdownAsync();
        await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);

        await client.QuitAsync().WaitAsync(Wait.Timeout);

        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested);
        await stopping.WaitAsync(Wait.Timeout);
        Assert.False(File.Exists(daemon.SocketPath));
    }

    [Fact]
    public async Task Quit_from_a_peer_not_allowed_is_refused_as_forbidden()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Commands:Quit:AllowedUids:0"] = "4242" });
        await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);

        var error = await Assert.ThrowsAsync<SocketDaemonException>(() => client.QuitAsync());

        Assert.Equal(NativeErrorCode.Forbidden, error.Code);
        await client.SendAsync("still running");
    }

    [Fact]
    public async Task Fsync_durability_acknowledges_after_the_log_is_on_disk()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Durability"] = "fsync" });

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async c =>
        {
            await using var client = await TestDaemon.ConnectAsync(c % 2 == 0 ? daemon.Unix : daemon.Tcp, MessageFraming.Native);
            await client.SendManyAsync(Enumerable.Range(0, 500).Select(i => $"durable {c} {i}"));
        }));

        Assert.Equal(4000, daemon.Log.Texts().Count);
    }

    [Fact]
    public async Task A_client_with_reconnect_carries_on_after_the_daemon_restarts()
    {
        using var directory = new TempDirectory();
        var first = await DaemonProcess.StartAsync(directory);
        await using var client = await SocketDaemonClient.ConnectAsync(first.Endpoint, new SocketDaemonClientOptions { Reconnect = true, ReconnectTimeout = TimeSpan.FromSeconds(20) });
        await client.SendAsync("before the restart");

        first.Process.Signal(ChildProcess.SIGTERM);
        Assert.Equal(0, await first.Process.WaitForExitAsync());
        await first.DisposeAsync();
        await using var second = await DaemonProcess.StartAsync(directory);
        await client.SendAsync("after the restart");

        Assert.Equal(["before the restart", "after the restart"], second.Log.Texts());
    }

    [Fact]
    public async Task Batches_sent_together_are_acknowledged_in_order_each_with_its_own_refusals_and_a_request_after_them_is_answered_last()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:MaxMessageBytes"] = "10" });
        using var raw = await RawClient.ConnectAsync(daemon.Unix);
        var frames = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WritePreface(frames);
        foreach (var (sequence, messages) in new (ulong, string[])[] { (1, ["a", "b"]), (3, ["far too long for the limit", "c"]), (5, ["d"]) })
        {
            var batch = NativeFrameWriter.BeginBatch(frames, sequence);
            foreach (var message in messages)
            {
                batch.Add(message.AsSpan());
            }

            batch.Complete();
        }

        NativeFrameWriter.WriteIdFrame(frames, NativeFrameType.Status, 99);

        // All in one write: the daemon reads the later batches while the first ones wait for the log.
        await raw.SendAsync(frames.WrittenSpan.ToArray());
        raw.Socket.Shutdown(SocketShutdown.Send);

        var input = await ReceiveUntilClosedAsync(raw);
        Assert.True(NativeFrameReader.TryReadPreface(ref input, out _));
        var replies = new List<string>();
        while (NativeFrameReader.TryReadFrame(ref input, 1 << 20, out var frame))
        {
            if (frame.Type == NativeFrameType.Ack)
            {
                var sequence = NativeFrameReader.ReadAck(frame.Body, out var accepted, out var errors);
                replies.Add($"ack {sequence}: {accepted} {string.Join(',', errors.Select(e => $"{e.Index}={e.Code}"))}");
            }
            else
            {
                replies.Add($"{frame.Type} {NativeFrameReader.ReadId(frame.Body)}");
            }
        }

        Assert.Equal(["ack 1: 2 ", "ack 3: 1 0=TooLarge", "ack 5: 1 ", "StatusReply 99"], replies);
        Assert.Equal(["a", "b", "c", "d"], daemon.Log.Texts());
    }

    [Fact]
    public async Task A_client_with_an_unknown_frame_type_gets_an_error_and_is_closed()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var raw = await RawClient.ConnectAsync(daemon.Unix);
        var frames = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WritePreface(frames);
        NativeFrameWriter.WriteIdFrame(frames, (NativeFrameType)0x7f, 1);

        await raw.SendAsync(frames.WrittenSpan.ToArray());

        var input = await ReceiveUntilClosedAsync(raw);
        Assert.True(NativeFrameReader.TryReadPreface(ref input, out var version));
        Assert.Equal(NativeProtocol.Version, version);
        Assert.True(NativeFrameReader.TryReadFrame(ref input, 1024, out var frame));
        Assert.Equal(NativeFrameType.Error, frame.Type);
        NativeFrameReader.ReadError(frame.Body, out var code, out _);
        Assert.Equal(NativeErrorCode.Malformed, code);
    }

    private static async Task<ReadOnlySequence<byte>> ReceiveUntilClosedAsync(RawClient raw)
    {
        var received = new ArrayBufferWriter<byte>();
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        int read;
        while ((read = await raw.Socket.ReceiveAsync(received.GetMemory(4096), SocketFlags.None, timeout.Token)) > 0)
        {
            received.Advance(read);
        }

        return new ReadOnlySequence<byte>(received.WrittenMemory);
    }
}
