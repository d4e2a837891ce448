using SocketDaemon.Listeners;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Limits;

/// <summary>
/// What a connection may make the daemon wait for: silence between messages (<c>IdleTimeout</c>), a frame in
/// progress (<c>FrameTimeout</c>, from the frame's first byte, and <c>MinDataRate</c> after its grace period), and
/// its whole life (<c>MaxConnectionAge</c>, ending at a frame boundary).
/// </summary>
public class TimeoutTests
{
    [Fact]
    public async Task A_connection_silent_past_IdleTimeout_is_closed_after_its_messages_are_logged()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:unix:IdleTimeout"] = "00:00:00.300" });
        using var client = await RawClient.ConnectAsync(daemon.Unix);
        await client.SendAsync(RawClient.SeedFrame("then silence"));

        Assert.True(await client.WaitForCloseAsync(), "the idle connection was not closed");
        await daemon.Log.WaitForTextAsync("then silence");
        await ConnectionLimitTests.AssertWarnedAsync(daemon, "idle for \"00:00:00.3");
    }

    [Fact]
    public async Task A_frame_trickled_in_is_closed_by_FrameTimeout_counted_from_its_first_byte()
    {
        // Every byte comes well within FrameTimeout of the one before: only a clock from the frame's start stops it.
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:FrameTimeout"] = "00:00:00.800" });
        using var client = await RawClient.ConnectAsync(daemon.Unix);
        var frame = RawClient.SeedFrame(new string('x', 200));

        var closed = client.WaitForCloseAsync();
        try
        {
            for (var i = 0; i < frame.Length && !closed.IsCompleted; i++)
            {
                await client.Socket.SendAsync(frame.AsMemory(i, 1));
                await Task.Delay(100);
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Closed between two bytes.
        }

        Assert.True(await closed, "the trickled frame was never closed");
        Assert.Equal(1, daemon.Listeners["unix"].ErrorsByReason.GetValueOrDefault("timeout"));
    }

    [Fact]
    public async Task A_frame_slower_than_MinDataRate_after_the_grace_period_is_closed()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Limits:MinDataRate:BytesPerSecond"] = "1000",
            ["SocketDaemon:Limits:MinDataRate:GracePeriod"] = "00:00:00.500",
        });
        using var slow = await RawClient.ConnectAsync(daemon.Tcp);
        using var fast = await RawClient.ConnectAsync(daemon.Tcp);
        await slow.SendAsync([.. RawClient.SeedHeader(10_001), .. "slow"u8]);

        // A whole frame at once is never too slow, whatever the rate.
        await fast.SendAsync(RawClient.SeedFrame(new string('y', 5000)));
        await daemon.Log.WaitForTextAsync(new string('y', 5000));

        Assert.True(await slow.WaitForCloseAsync(), "the slow frame was never closed");
        Assert.Equal(1, daemon.Listeners["tcp"].ErrorsByReason.GetValueOrDefault("min_data_rate"));
        await ConnectionLimitTests.AssertWarnedAsync(daemon, "(TooSlow)");
    }

    [Fact]
    public async Task An_idle_connection_older_than_MaxConnectionAge_is_closed()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:MaxConnectionAge"] = "00:00:00.500" });
        using var client = await RawClient.ConnectAsync(daemon.Tcp);
        await client.SendAsync(RawClient.SeedFrame("young"));

        Assert.True(await client.WaitForCloseAsync(), "the old connection was not closed");
        await daemon.Log.WaitForTextAsync("young");
        await ConnectionLimitTests.AssertWarnedAsync(daemon, "older than MaxConnectionAge");
    }

    [Fact]
    public async Task A_connection_past_MaxConnectionAge_mid_frame_finishes_the_frame_before_it_is_closed()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:MaxConnectionAge"] = "00:00:00.300" });
        using var client = await RawClient.ConnectAsync(daemon.Unix);
        var frame = RawClient.SeedFrame("finished after its time");
        await client.SendAsync(frame[..10]);

        // Past the age, with the frame half sent: the connection must wait for the rest.
        await Task.Delay(600);
        Assert.False(client.Socket.Poll(0, System.Net.Sockets.SelectMode.SelectRead), "the connection was closed mid-frame");
        await client.SendAsync(frame[10..]);

        Assert.True(await client.WaitForCloseAsync(), "the old connection was not closed after its frame");
        await daemon.Log.WaitForTextAsync("finished after its time");
        Assert.Equal(0, daemon.Listeners["unix"].Errors);
    }
}
