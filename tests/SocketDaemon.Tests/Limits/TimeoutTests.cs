using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Limits;

/// <summary>
/// The timeouts over a real socket, on the real clock: the connection manager's tick wakes a parked connection. Every
/// rule itself (<c>IdleTimeout</c>, <c>FrameTimeout</c>, <c>MinDataRate</c>, <c>MaxConnectionAge</c>, the quiet period of
/// a stop) is tested on a fake clock over memory in <see cref="Connections.ReadDeadlineTests"/>.
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
        Assert.Equal(1, daemon.Listeners["unix"].ErrorsByReason.GetValueOrDefault("idle_timeout"));
    }
}
