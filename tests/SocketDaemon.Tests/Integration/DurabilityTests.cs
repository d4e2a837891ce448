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
        var socket = directory.Combine("d.sock");
        await using var daemon = ChildProcess.StartDaemon(["--listen", "unix:" + socket, "--log-dir", directory.Combine("logs")]);
        await daemon.WaitForOutputAsync("Application started");
        var messages = Enumerable.Range(0, 20_000).Select(i => $"durable message {i:D5}").ToList();

        await using (var client = await SocketDaemonClient.ConnectAsync("unix:" + socket))
        {
            Assert.Equal(20_000, await client.SendManyAsync(messages));
            daemon.Signal(9);
        }

        Assert.Equal(137, await daemon.WaitForExitAsync());
        Assert.Equal(messages, new MessageLog(directory.Combine("logs")).Texts());
    }
}
