using System.Globalization;
using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Connections;

namespace SocketDaemon.Tests.Limits;

/// <summary>
/// A token bucket per peer or per listener: <c>reject</c> drops what is over it, counted (and answered
/// <c>RateLimited</c> on the native protocol); <c>delay</c> stops reading until a token comes, and loses nothing.
/// </summary>
public class RateLimitTests
{
    [Fact]
    public async Task Reject_logs_the_burst_and_drops_the_rest_counted()
    {
        await using var daemon = await StartAsync("reject", burst: 3);
        using var client = await RawClient.ConnectAsync(daemon.Unix);

        await client.SendAsync(string.Concat(Enumerable.Range(1, 10).Select(i => $"m{i}\n")));

        var listener = daemon.Listeners["unix"];
        await Wait.UntilAsync(() => listener.Messages + listener.ErrorsByReason.GetValueOrDefault(ErrorReasons.RateLimited) == 10, "all 10 messages to be logged or dropped");
        // The listener counts a read's messages before its lines reach the file: wait for the lines themselves.
        var logged = await daemon.Log.WaitForAsync(3);
        Assert.Equal(["m1", "m2", "m3"], logged.Take(3));
        Assert.InRange(listener.ErrorsByReason[ErrorReasons.RateLimited], 1, 7);
        await ConnectionLimitTests.AssertWarnedAsync(daemon, "over its rate limit");
    }

    [Fact]
    public async Task Reject_answers_RateLimited_on_the_native_protocol_and_the_connection_goes_on()
    {
        await using var daemon = await StartAsync("reject", burst: 2);
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { Framing = MessageFraming.Native });

        await client.SendAsync("one");
        await client.SendAsync("two");
        var refused = await Assert.ThrowsAsync<SocketDaemonException>(() => client.SendAsync("three"));

        Assert.Equal(NativeErrorCode.RateLimited, refused.Code);
        Assert.Equal(["one", "two"], await daemon.Log.WaitForAsync(2));
        Assert.Equal(1, daemon.Listeners["unix"].ErrorsByReason.GetValueOrDefault(ErrorReasons.RateLimited));
    }

    [Fact]
    public async Task Datagrams_go_through_the_same_rate_limit_as_connections()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:udp:Endpoint"] = "udp://127.0.0.1:0",
            ["SocketDaemon:Limits:RateLimit:MessagesPerSecond"] = "1",
            ["SocketDaemon:Limits:RateLimit:Burst"] = "3",
            ["SocketDaemon:Limits:RateLimit:Action"] = "reject",
        });
        var listener = daemon.Listeners["udp"];
        using var udp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);

        for (var i = 1; i <= 10; i++)
        {
            await udp.SendToAsync(System.Text.Encoding.UTF8.GetBytes($"g{i}"), listener.Endpoint.EndPoint!);
        }

        await Wait.UntilAsync(() => listener.Messages + listener.ErrorsByReason.GetValueOrDefault(ErrorReasons.RateLimited) == 10, "all 10 datagrams to be logged or dropped");
        var logged = await daemon.Log.WaitForAsync(3);
        Assert.Equal(["g1", "g2", "g3"], logged.Take(3));
        Assert.InRange(listener.ErrorsByReason[ErrorReasons.RateLimited], 1, 7);
    }

    [Fact]
    public async Task Each_peer_has_its_own_bucket()
    {
        await using var daemon = await StartAsync("reject", burst: 1);
        using var local = await RawClient.ConnectAsync(daemon.Unix);
        using var remote = await RawClient.ConnectAsync(daemon.Tcp);

        await local.SendAsync("from uid\n");
        await remote.SendAsync("from 127.0.0.1\n");

        Assert.Equal(["from 127.0.0.1", "from uid"], (await daemon.Log.WaitForAsync(2)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delay_slows_the_sender_and_logs_every_message_in_order()
    {
        // 10 per second, 2 at once: 8 messages sent at once need at least 6 refills, 100 ms apart.
        await using var daemon = await StartAsync("delay", burst: 2, perSecond: 10);
        using var client = await RawClient.ConnectAsync(daemon.Unix);

        await client.SendAsync(string.Concat(Enumerable.Range(1, 8).Select(i => $"d{i}\n")));

        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"d{i}"), await daemon.Log.WaitForAsync(8));
        var lines = daemon.Log.Lines();
        var spread = Timestamp(lines[^1]) - Timestamp(lines[0]);
        Assert.True(spread >= TimeSpan.FromMilliseconds(400), $"the 8 messages were read within {spread}, faster than the limit allows");
        Assert.Equal(0, daemon.Listeners["unix"].Errors);
    }

    private static DateTimeOffset Timestamp(string line) =>
        DateTimeOffset.Parse(line[..line.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);

    private static Task<TestDaemon> StartAsync(string action, int burst, int perSecond = 1) =>
        TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Limits:RateLimit:MessagesPerSecond"] = perSecond.ToString(CultureInfo.InvariantCulture),
            ["SocketDaemon:Limits:RateLimit:Burst"] = burst.ToString(CultureInfo.InvariantCulture),
            ["SocketDaemon:Limits:RateLimit:Action"] = action,
        });
}
