using System.Text.RegularExpressions;
using SocketDaemon.Client;
using SocketDaemon.Hosting;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>Messages sent over real sockets end up, one per line, in the real message log.</summary>
public partial class MessageLoggingTests
{
    [Theory]
    [InlineData("unix", MessageFraming.Seed)]
    [InlineData("unix", MessageFraming.Lines)]
    [InlineData("tcp", MessageFraming.Seed)]
    [InlineData("tcp", MessageFraming.Lines)]
    public async Task A_message_from_a_client_is_logged(string listener, MessageFraming framing)
    {
        await using var daemon = await TestDaemon.StartAsync();
        var text = $"hello over {listener} with {framing} framing";

        await using (var client = await TestDaemon.ConnectAsync(daemon.Listeners[listener].Endpoint, framing))
        {
            await client.SendAsync(text);
        }

        var line = await daemon.Log.WaitForTextAsync(text);
        Assert.Contains($" {listener} [", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_names_time_listener_peer_and_connection()
    {
        await using var daemon = await TestDaemon.StartAsync();

        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix))
        {
            await client.SendAsync("who sent this?");
        }

        await using (var client = await TestDaemon.ConnectAsync(daemon.Tcp))
        {
            await client.SendAsync("and this?");
        }

        var local = await daemon.Log.WaitForTextAsync("who sent this?");
        var remote = await daemon.Log.WaitForTextAsync("and this?");
        Assert.Matches(LocalLine(), local);
        Assert.Contains($"[pid={Environment.ProcessId} uid=", local, StringComparison.Ordinal);
        Assert.Contains($" comm={File.ReadAllText("/proc/self/comm").TrimEnd('\n')}]", local, StringComparison.Ordinal);
        Assert.Matches(RemoteLine(), remote);
    }

    [Fact]
    public async Task Abstract_unix_sockets_and_IPv6_listen_too()
    {
        var name = "sdt-" + Guid.NewGuid().ToString("N")[..8];
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:abstract:Endpoint"] = "unix:@" + name,
            ["SocketDaemon:Listeners:ipv6:Endpoint"] = "tcp://[::1]:0",
        });

        await using (var client = await TestDaemon.ConnectAsync(SocketEndpoint.Parse("unix:@" + name)))
        {
            await client.SendAsync("abstract");
        }

        await using (var client = await TestDaemon.ConnectAsync(daemon.Listeners["ipv6"].Endpoint, MessageFraming.Lines))
        {
            await client.SendAsync("ipv6");
        }

        Assert.StartsWith("tcp://[::1]:", daemon.Listeners["ipv6"].Endpoint.ToString(), StringComparison.Ordinal);
        await daemon.Log.WaitForTextAsync("abstract");
        await daemon.Log.WaitForTextAsync("ipv6");
    }

    [Theory]
    [InlineData(MessageFraming.Seed)]
    [InlineData(MessageFraming.Lines)]
    public async Task A_message_written_one_byte_at_a_time_is_one_message(MessageFraming framing)
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var client = await RawClient.ConnectAsync(daemon.Unix);

        var frame = framing == MessageFraming.Seed ? RawClient.SeedFrame("slowly, byte by byte") : "slowly, byte by byte\n"u8.ToArray();
        await client.SendByteByByteAsync(frame);

        Assert.Equal(["slowly, byte by byte"], await daemon.Log.WaitForAsync(1));
    }

    [Theory]
    [InlineData(MessageFraming.Seed)]
    [InlineData(MessageFraming.Lines)]
    public async Task Two_messages_in_one_write_are_two_messages(MessageFraming framing)
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var client = await RawClient.ConnectAsync(daemon.Tcp);

        await client.SendAsync(framing == MessageFraming.Seed
            ? [.. RawClient.SeedFrame("first"), .. RawClient.SeedFrame("second")]
            : "first\r\nsecond\n"u8.ToArray());

        Assert.Equal(["first", "second"], await daemon.Log.WaitForAsync(2));
    }

    [Fact]
    public async Task Fifty_concurrent_clients_lose_split_and_duplicate_nothing()
    {
        const int Clients = 50;
        const int PerClient = 200;
        await using var daemon = await TestDaemon.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
        {
            // Alternate transports and framings so that every combination runs concurrently.
            var endpoint = c % 2 == 0 ? daemon.Unix : daemon.Tcp;
            var framing = c % 4 < 2 ? MessageFraming.Seed : MessageFraming.Lines;
            await using var client = await TestDaemon.ConnectAsync(endpoint, framing);
            await client.SendManyAsync(Enumerable.Range(0, PerClient).Select(i => $"client {c:D2} message {i:D3} " + new string('.', i % 50)));
        }));

        var texts = await daemon.Log.WaitForAsync(Clients * PerClient);
        Assert.Equal(Clients * PerClient, texts.Count);
        Assert.Equal(Clients * PerClient, texts.Distinct().Count());
        for (var c = 0; c < Clients; c++)
        {
            var own = texts.Where(t => t.StartsWith($"client {c:D2} ", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, PerClient).Select(i => $"client {c:D2} message {i:D3} " + new string('.', i % 50)), own);
        }
    }

    [Fact]
    public async Task A_burst_of_TCP_clients_that_write_and_close_at_once_loses_nothing()
    {
        // A TCP handshake that completes into a full listen queue lets the client write and close without ever being
        // accepted: with the classic backlog of 5 this burst lost clients silently.
        await using var daemon = await TestDaemon.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(async c =>
        {
            using var client = await RawClient.ConnectAsync(daemon.Tcp);
            await client.SendAsync([.. Enumerable.Range(0, 50).SelectMany(i => RawClient.SeedFrame($"burst {c} {i}"))]);
        }));

        Assert.Equal(2000, (await daemon.Log.WaitForAsync(2000)).Distinct().Count());
    }

    [Fact]
    public async Task Unix_listeners_keep_the_classic_backlog_of_5_and_TCP_a_deep_one()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await daemon.StopAsync();

        var operational = File.ReadAllText(Directory.GetFiles(daemon.LogDirectory, "socketdaemon*.log").Single());
        Assert.Contains("Listener unix bound to unix:", operational, StringComparison.Ordinal);
        Assert.Matches(@"Listener unix bound to \S+ \(framing ""?Auto""?, backlog 5\)", operational);
        Assert.Matches(@"Listener tcp bound to \S+ \(framing ""?Auto""?, backlog 511\)", operational);
    }

    [Fact]
    public async Task Operational_logs_go_to_their_own_file_never_into_the_message_log()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix))
        {
            await client.SendAsync("only a message");
        }

        await daemon.Log.WaitForAsync(1);
        await daemon.StopAsync();

        Assert.Equal(["only a message"], daemon.Log.Texts());
        var operational = File.ReadAllText(Directory.GetFiles(daemon.LogDirectory, Path.GetFileNameWithoutExtension(SocketDaemonHost.OperationalLogFile) + "*.log").Single());
        Assert.Contains("Listener unix bound to unix:", operational, StringComparison.Ordinal);
        Assert.DoesNotContain("only a message", operational, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d unix \[pid=\d+ uid=\d+ gid=\d+ comm=[^\]]+\] #\d+: who sent this\?$")]
    private static partial Regex LocalLine();

    [GeneratedRegex(@"^\S+ tcp \[127\.0\.0\.1:\d+\] #\d+: and this\?$")]
    private static partial Regex RemoteLine();
}
