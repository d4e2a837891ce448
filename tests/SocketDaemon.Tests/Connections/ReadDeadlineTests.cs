using System.Text;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Tests.Limits;
using SocketDaemon.Connections;

namespace SocketDaemon.Tests.Connections;

/// <summary>
/// Every timeout rule of a stream connection, over an in-memory transport on a fake clock: the test advances time past
/// the rule and asserts the connection closed, and that it was logged and counted, without waiting for any of it.
/// </summary>
public class ReadDeadlineTests
{
    private static readonly TimeSpan Tick = ConnectionManager.TickPeriod;

    [Fact]
    public async Task A_connection_silent_past_IdleTimeout_is_closed_after_its_messages_are_logged()
    {
        await using var listener = await MemoryListener.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:unix:IdleTimeout"] = "00:05:00" });
        var (connection, peer) = await listener.ConnectAsync(RawClient.SeedFrame("then silence"));
        await listener.Daemon.Log.WaitForTextAsync("then silence");
        await peer.WaitUntilReadingAsync();

        listener.Time.Advance(TimeSpan.FromMinutes(5) + Tick);

        await MemoryListener.ClosedAsync(connection);
        Assert.Equal(1, listener.Bound.ErrorsByReason.GetValueOrDefault("idle_timeout"));
        await ConnectionLimitTests.AssertWarnedAsync(listener.Daemon, "idle for \"00:05:00\" (idle_timeout)");
    }

    [Fact]
    public async Task An_idle_connection_is_not_closed_before_IdleTimeout()
    {
        await using var listener = await MemoryListener.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:unix:IdleTimeout"] = "00:05:00" });
        var (connection, peer) = await listener.ConnectAsync(RawClient.SeedFrame("first"));
        await listener.Daemon.Log.WaitForTextAsync("first");
        await peer.WaitUntilReadingAsync();

        listener.Time.Advance(TimeSpan.FromMinutes(5) - (2 * Tick));
        await peer.SendAsync(RawClient.SeedFrame("still in time"));

        await listener.Daemon.Log.WaitForTextAsync("still in time");
        Assert.False(connection.Closed.IsCompleted, "closed before IdleTimeout");
        Assert.Equal(0, listener.Bound.Errors);
    }

    [Fact]
    public async Task A_frame_trickled_in_is_closed_by_FrameTimeout_counted_from_its_first_byte()
    {
        await using var listener = await MemoryListener.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:FrameTimeout"] = "00:00:08" });
        var frame = RawClient.SeedFrame(new string('x', 200));
        var (connection, peer) = await listener.ConnectAsync(frame.AsMemory(0, 1));

        // Every byte comes well within FrameTimeout of the one before: only a clock from the frame's start stops it.
        for (var i = 1; i < 81; i++)
        {
            await peer.WaitUntilReadingAsync(after: i - 1);
            listener.Time.Advance(TimeSpan.FromSeconds(0.1));
            await peer.SendAsync(frame.AsMemory(i, 1));
        }

        await MemoryListener.ClosedAsync(connection);
        Assert.Equal(1, listener.Bound.ErrorsByReason.GetValueOrDefault("timeout"));
        Assert.DoesNotContain(listener.Daemon.Log.Texts(), text => text.Contains('x'));
    }

    [Fact]
    public async Task A_frame_slower_than_MinDataRate_after_the_grace_period_is_closed()
    {
        await using var listener = await MemoryListener.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Limits:MinDataRate:BytesPerSecond"] = "1000",
            ["SocketDaemon:Limits:MinDataRate:GracePeriod"] = "00:00:05",
        });
        var (slow, slowPeer) = await listener.ConnectAsync(RawClient.SeedHeader(10_001).Concat("slow"u8.ToArray()).ToArray());

        // A whole frame at once is never too slow, whatever the rate.
        await listener.ConnectAsync(RawClient.SeedFrame(new string('y', 5000)));
        await listener.Daemon.Log.WaitForTextAsync(new string('y', 5000));
        await slowPeer.WaitUntilReadingAsync();

        listener.Time.Advance(TimeSpan.FromSeconds(5) + Tick);

        await MemoryListener.ClosedAsync(slow);
        Assert.Equal(1, listener.Bound.ErrorsByReason.GetValueOrDefault("min_data_rate"));
        await ConnectionLimitTests.AssertWarnedAsync(listener.Daemon, "(TooSlow)");
    }

    [Fact]
    public async Task An_idle_connection_older_than_MaxConnectionAge_is_closed()
    {
        await using var listener = await MemoryListener.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:MaxConnectionAge"] = "00:01:00" });
        var (connection, peer) = await listener.ConnectAsync(RawClient.SeedFrame("young"));
        await listener.Daemon.Log.WaitForTextAsync("young");
        await peer.WaitUntilReadingAsync();

        listener.Time.Advance(TimeSpan.FromMinutes(1) + Tick);

        await MemoryListener.ClosedAsync(connection);
        await ConnectionLimitTests.AssertWarnedAsync(listener.Daemon, "older than MaxConnectionAge");
        Assert.Equal(0, listener.Bound.Errors);
    }

    [Fact]
    public async Task A_connection_past_MaxConnectionAge_mid_frame_finishes_the_frame_before_it_is_closed()
    {
        await using var listener = await MemoryListener.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:MaxConnectionAge"] = "00:00:03" });
        var frame = RawClient.SeedFrame("finished after its time");
        var (connection, peer) = await listener.ConnectAsync(frame.AsMemory(0, 10));
        await peer.WaitUntilReadingAsync();

        // Past the age (not FrameTimeout), with the frame half sent: the connection must wait for the rest.
        listener.Time.Advance(TimeSpan.FromSeconds(6));
        await peer.SendAsync(frame.AsMemory(10));

        await MemoryListener.ClosedAsync(connection);
        await listener.Daemon.Log.WaitForTextAsync("finished after its time");
        Assert.Equal(0, listener.Bound.Errors);
    }

    [Fact]
    public async Task A_stop_reads_a_connection_until_it_is_quiet_for_the_shutdown_quiet_period()
    {
        await using var listener = await MemoryListener.StartAsync();
        var (connection, peer) = await listener.ConnectAsync(RawClient.SeedFrame("before the stop"));
        await listener.Daemon.Log.WaitForTextAsync("before the stop");
        await peer.WaitUntilReadingAsync();

        var drain = listener.DrainAsync();
        await peer.WaitUntilReadingAsync(after: 1);
        await peer.SendAsync(RawClient.SeedFrame("during the stop"));
        await listener.Daemon.Log.WaitForTextAsync("during the stop");
        await peer.WaitUntilReadingAsync(after: 2);
        listener.Time.Advance(ReadDeadline.ShutdownQuietPeriod + Tick);

        await MemoryListener.ClosedAsync(connection);
        await drain.WaitAsync(Wait.Timeout);
        Assert.Equal(0, listener.Bound.Errors);
    }

    [Theory]
    [InlineData("GE")]
    [InlineData("a")]
    [InlineData("12")]
    [InlineData(" ")]
    [InlineData(" \0")]
    [InlineData("\0SD")]
    public async Task An_opening_of_a_few_bytes_then_silence_is_closed_after_FrameTimeout_logged_and_counted(string opening)
    {
        // IdleTimeout far beyond FrameTimeout: a close only after both would not come within the advance.
        await using var listener = await MemoryListener.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:unix:Framing"] = "auto",
            ["SocketDaemon:Limits:FrameTimeout"] = "00:00:30",
            ["SocketDaemon:Listeners:unix:IdleTimeout"] = "01:00:00",
        });
        var (connection, peer) = await listener.ConnectAsync(Encoding.Latin1.GetBytes(opening));
        await peer.WaitUntilReadingAsync();

        listener.Time.Advance(TimeSpan.FromSeconds(30) + Tick);

        await MemoryListener.ClosedAsync(connection);
        Assert.Equal(1, listener.Bound.ErrorsByReason.GetValueOrDefault("timeout"));
        await ConnectionLimitTests.AssertWarnedAsync(listener.Daemon, "frame incomplete after");
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_closed_as_idle_after_FrameTimeout_and_counted()
    {
        await using var listener = await MemoryListener.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:unix:Framing"] = "auto",
            ["SocketDaemon:Limits:FrameTimeout"] = "00:00:30",
        });
        var (connection, peer) = await listener.ConnectAsync();
        await peer.WaitUntilReadingAsync();

        listener.Time.Advance(TimeSpan.FromSeconds(30) + Tick);

        await MemoryListener.ClosedAsync(connection);
        Assert.Equal(1, listener.Bound.ErrorsByReason.GetValueOrDefault("idle_timeout"));
    }
}
