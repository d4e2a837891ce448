using System.Buffers;
using System.Net.Sockets;
using SocketDaemon.Cli;
using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Tail;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>Following the message stream live, like journalctl -f, without ever slowing ingestion.</summary>
public class TailTests
{
    [Fact]
    public async Task A_tail_sees_the_messages_sent_after_it_started_filtered_by_listener_and_text()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var follower = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);
        using var stop = new CancellationTokenSource(Wait.Timeout);
        var seen = new List<TailEvent>();
        var following = Task.Run(async () =>
        {
            await foreach (var message in follower.TailAsync(listener: "tcp", grep: "wanted", stop.Token))
            {
                seen.Add(message);
                if (seen.Count == 2)
                {
                    return;
                }
            }
        });
        await UntilSubscribedAsync(daemon);

        await using (var tcp = await TestDaemon.ConnectAsync(daemon.Tcp, MessageFraming.Native))
        {
            await tcp.SendManyAsync(["wanted one", "not this", "wanted two"]);
        }

        await using (var unix = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native))
        {
            await unix.SendAsync("wanted, but on the other listener");
        }

        await following.WaitAsync(Wait.Timeout);
        Assert.Equal(["wanted one", "wanted two"], seen.Select(m => m.Text));
        Assert.All(seen, m => Assert.Equal("tcp", m.Listener));
        Assert.All(seen, m => Assert.StartsWith("127.0.0.1:", m.Peer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stalled_tail_does_not_hold_up_ingestion_and_is_told_what_it_skipped()
    {
        await using var daemon = await TestDaemon.StartAsync();

        // A follower that subscribes and then reads nothing: its socket buffer fills and it falls behind.
        using var stalled = await RawClient.ConnectAsync(daemon.Unix);
        var request = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WritePreface(request);
        NativeFrameWriter.WriteTail(request, 1, string.Empty, string.Empty);
        stalled.Socket.ReceiveBufferSize = 4096;
        await stalled.SendAsync(request.WrittenSpan.ToArray());
        await UntilSubscribedAsync(daemon);

        await using (var sender = await TestDaemon.ConnectAsync(daemon.Tcp, MessageFraming.Native))
        {
            Assert.Equal(100_000, await sender.SendManyAsync(Enumerable.Range(0, 100_000).Select(i => $"message {i} {new string('x', 50)}")));
        }

        Assert.Equal(100_000, daemon.Log.Texts().Count);

        // Reading now, the follower finds a note of what it missed.
        var received = new MemoryStream();
        var buffer = new byte[1 << 16];
        var skipped = false;
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        while (!skipped)
        {
            var read = await stalled.Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            received.Write(buffer, 0, read);
            var input = new ReadOnlySequence<byte>(received.ToArray());
            Assert.True(NativeFrameReader.TryReadPreface(ref input, out _));
            while (NativeFrameReader.TryReadFrame(ref input, 1 << 20, out var frame))
            {
                skipped |= frame.Type == NativeFrameType.Skipped;
            }
        }
    }

    [Fact]
    public async Task Socketctl_tail_prints_each_message_as_a_log_line()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var output = new StringWriter();
        using var stop = new CancellationTokenSource(Wait.Timeout);
        var tail = SocketCtl.CreateRootCommand(TextReader.Null).Parse(["tail", "-e", daemon.Unix.ToString()])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output }, stop.Token);
        await UntilSubscribedAsync(daemon);

        await using (var client = await TestDaemon.ConnectAsync(daemon.Tcp, MessageFraming.Native))
        {
            await client.SendAsync("followed");
        }

        await Wait.UntilAsync(() => output.ToString().Contains("followed", StringComparison.Ordinal), "the tail to print the message");
        await stop.CancelAsync();

        Assert.Equal(0, await tail.WaitAsync(Wait.Timeout));
        Assert.Matches(@"^\S+ tcp \[127\.0\.0\.1:\d+\] followed\r?$", output.ToString().Split('\n')[0]);
    }

    private static Task UntilSubscribedAsync(TestDaemon daemon) =>
        Wait.UntilAsync(() => daemon.Host.Services.GetService(typeof(SocketDaemon.Pipeline.Tail.TailHub)) is SocketDaemon.Pipeline.Tail.TailHub { HasSubscribers: true }, "the tail to subscribe");
}
