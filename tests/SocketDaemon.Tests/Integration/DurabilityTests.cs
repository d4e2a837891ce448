using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>Acknowledged means durable: what the daemon acknowledged survives its being killed outright.</summary>
public class DurabilityTests
{
    [Fact]
    public async Task Every_acknowledged_message_survives_kill_minus_9_right_after_the_last_acknowledgement()
    {
        using var directory = new TempDirectory();
        await using var daemon = await DaemonProcess.StartAsync(directory);
        var messages = Enumerable.Range(0, 20_000).Select(i => $"durable message {i:D5}").ToList();

        await using (var client = await SocketDaemonClient.ConnectAsync(daemon.Endpoint))
        {
            Assert.Equal(20_000, await client.SendManyAsync(messages));
            daemon.Process.Signal(9);
        }

        Assert.Equal(137, await daemon.Process.WaitForExitAsync());
        Assert.Equal(messages, daemon.Log.Texts());
    }
}
