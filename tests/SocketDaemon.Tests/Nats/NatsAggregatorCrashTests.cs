using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Nats;

/// <summary>
/// The aggregator's window: a real aggregator process killed (SIGKILL) while it writes what JetStream (a real
/// nats-server) delivers, started again each time; every message ends up in its log exactly once.
/// </summary>
public class NatsAggregatorCrashTests
{
    [Fact]
    public async Task The_aggregator_killed_while_it_writes_logs_every_message_exactly_once()
    {
        await using var nats = await NatsServer.StartAsync();
        using var directory = new TempDirectory();
        var log = new MessageLog(directory.Combine("logs"));
        string[] arguments =
        [
            "--log-dir", log.Directory,
            "--SocketDaemon:Listeners:unix:Endpoint", "unix:" + directory.Combine("d.sock"),
            "--SocketDaemon:Durability", "fsync",
            // Redeliveries of what a killed aggregator had not acknowledged come soon after the restart.
            "--SocketDaemon:Nats:AckWait", "00:00:02",
            "--SocketDaemon:Listeners:jetstream:Endpoint", nats.Url,
            "--SocketDaemon:Listeners:jetstream:Stream", "LOGS",
            "--SocketDaemon:Listeners:jetstream:Consumer", "aggregators",
            "--SocketDaemon:Listeners:jetstream:FilterSubject", "logs.>",
        ];

        // Every message is in JetStream before the aggregator starts, so that it writes flat out from its start.
        var padding = new string('x', 200);
        var messages = Enumerable.Range(0, 20000).Select(i => $"kill {i:D5} {padding}").ToList();
        await using (var edge = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Nats:Url"] = nats.Url,
            ["SocketDaemon:Pipeline:0:Handler"] = "Nats",
            ["SocketDaemon:Pipeline:0:Subject"] = "logs.{Host}.{Listener}",
            ["SocketDaemon:Pipeline:0:Stream"] = "LOGS",
        }))
        {
            await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 1000, RequestTimeout = TimeSpan.FromSeconds(60) });
            Assert.Equal(messages.Count, await client.SendManyAsync(messages));
        }

        var aggregator = await StartAsync(arguments);
        try
        {
            var random = new Random(20);
            var kills = 0;
            while (kills < 4)
            {
                // The moment the log grows the aggregator is writing a batch it has not acknowledged yet.
                var before = LogBytes(log);
                var deadline = DateTime.UtcNow + Wait.Timeout;
                while (LogBytes(log) == before && log.Texts().Count < messages.Count)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the aggregator did not write");
                    await Task.Delay(1);
                }

                if (LogBytes(log) == before)
                {
                    // Everything was logged before the next kill.
                    break;
                }

                await Task.Delay(random.Next(3));
                aggregator.Signal(9);
                await aggregator.WaitForExitAsync();
                await aggregator.DisposeAsync();
                kills++;
                aggregator = await StartAsync(arguments);
            }

            Assert.True(kills >= 2, $"the aggregator wrote everything after {kills} kills");
            await log.WaitForAsync(messages.Count, TimeSpan.FromSeconds(60));

            // Past AckWait: what was delivered and not acknowledged came again, and was not logged again.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(messages, log.Texts().Order(StringComparer.Ordinal));
        }
        finally
        {
            await aggregator.DisposeAsync();
        }
    }

    // The real daemon with only the listeners configured: --listen would replace the nats:// one.
    private static async Task<ChildProcess> StartAsync(string[] arguments)
    {
        var process = ChildProcess.StartDaemon(arguments);
        await process.WaitForOutputAsync("Application started");
        return process;
    }

    private static long LogBytes(MessageLog log) =>
        Directory.Exists(log.Directory) ? Directory.GetFiles(log.Directory, "messages*.log").Sum(f => new FileInfo(f).Length) : 0;
}
