using SocketDaemon.Client;
using SocketDaemon.Hosting;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>Bad bytes close that one connection with a logged reason; the daemon and everyone else go on.</summary>
public class BadInputTests
{
    private static readonly Dictionary<string, string?> SmallLimit = new() { ["SocketDaemon:Limits:MaxMessageBytes"] = "1024" };

    public static TheoryData<string, byte[], string> BadHeaders => new()
    {
        { "zero length", RawClient.SeedHeader(0), "ZeroLength" },
        { "negative length", RawClient.SeedHeader(-1), "NegativeLength" },
        { "oversize length", RawClient.SeedHeader(1026), "Oversize" },
        { "2 GiB length", RawClient.SeedHeader(int.MaxValue), "Oversize" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public async Task A_bad_seed_length_closes_only_that_connection(string name, byte[] header, string reason)
    {
        await using var daemon = await TestDaemon.StartAsync(SmallLimit);
        using var bystander = await RawClient.ConnectAsync(daemon.Unix);
        await bystander.SendAsync(RawClient.SeedFrame("before"));

        using (var bad = await RawClient.ConnectAsync(daemon.Unix))
        {
            // A valid frame first, so that the connection is seed; then the bad header alone, with no body:
            // the daemon must refuse it from the header, not wait for (or allocate) what it announces.
            await bad.SendAsync([.. RawClient.SeedFrame("valid first"), .. header]);
            Assert.True(await bad.WaitForCloseAsync(), $"the daemon did not close the connection after a {name}");
        }

        await bystander.SendAsync(RawClient.SeedFrame("after"));
        await using (var good = await TestDaemon.ConnectAsync(daemon.Unix))
        {
            await good.SendAsync("a new client");
        }

        var texts = await daemon.Log.WaitForAsync(4);
        Assert.Equal(["a new client", "after", "before", "valid first"], texts.Order(StringComparer.Ordinal));
        await AssertWarnedAsync(daemon, reason);
    }

    [Fact]
    public async Task A_seed_frame_cut_off_by_the_end_of_the_connection_is_dropped_with_a_warning()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using (var client = await RawClient.ConnectAsync(daemon.Tcp))
        {
            await client.SendAsync([.. RawClient.SeedFrame("complete"), .. RawClient.SeedFrame("cut off")[..9]]);
            client.ShutdownSend();
            Assert.True(await client.WaitForCloseAsync());
        }

        await using (var good = await TestDaemon.ConnectAsync(daemon.Tcp))
        {
            await good.SendAsync("still running");
        }

        Assert.Equal(["complete", "still running"], await daemon.Log.WaitForAsync(2));
        await AssertWarnedAsync(daemon, "Truncated");
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_closes_the_connection()
    {
        await using var daemon = await TestDaemon.StartAsync(SmallLimit);
        using (var client = await RawClient.ConnectAsync(daemon.Unix))
        {
            await client.SendAsync("short line\n" + new string('x', 5000));
            Assert.True(await client.WaitForCloseAsync());
        }

        await using (var good = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Lines))
        {
            await good.SendAsync("next client");
        }

        Assert.Equal(["short line", "next client"], await daemon.Log.WaitForAsync(2));
        await AssertWarnedAsync(daemon, "Oversize");
    }

    [Fact]
    public async Task A_client_that_sends_nothing_is_closed_after_the_frame_timeout_without_holding_up_others()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:FrameTimeout"] = "00:00:00.300" });
        using var silent = await RawClient.ConnectAsync(daemon.Unix);

        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix))
        {
            await client.SendAsync("not held up");
        }

        await daemon.Log.WaitForTextAsync("not held up");
        Assert.True(await silent.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_frame_that_stalls_midway_is_closed_after_the_frame_timeout()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:FrameTimeout"] = "00:00:00.300" });
        using var client = await RawClient.ConnectAsync(daemon.Unix);

        await client.SendAsync([.. RawClient.SeedFrame("whole"), .. RawClient.SeedFrame("stalled")[..6]]);

        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["whole"], await daemon.Log.WaitForAsync(1));
        await AssertWarnedAsync(daemon, "Timeout");
    }

    private static Task AssertWarnedAsync(TestDaemon daemon, string reason) =>
        Wait.UntilAsync(
            () => Directory.GetFiles(daemon.LogDirectory, "socketdaemon*.log").Any(f =>
                MessageLog.ReadShared(f).Split('\n').Any(l => l.Contains("[WRN]", StringComparison.Ordinal) && l.Contains("closing connection", StringComparison.Ordinal) && l.Contains($"({reason})", StringComparison.Ordinal))),
            $"a warning with reason {reason} in {SocketDaemonHost.OperationalLogFile}");
}
