using System.Runtime.CompilerServices;
using SocketDaemon.Connections;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Nats;

/// <summary>
/// The aggregator's window: a real aggregator process killed (SIGKILL) while it writes what JetStream (a real
/// nats-server) delivers, started again each time; every message ends up in its log exactly once.
/// </summary>
public class NatsAggregatorCrashTests
{
    [Theory]
    [InlineData(NatsAckPolicy.Explicit)]
    [InlineData(NatsAckPolicy.All)]
    public async Task The_aggregator_killed_while_it_writes_logs_every_message_exactly_once(NatsAckPolicy policy)
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
            // All: what a killed aggregator held comes again after AckWait, below what the new one logs meanwhile.
            "--SocketDaemon:Listeners:jetstream:AckPolicy", policy.ToString(),
        ];

        // Every message is in JetStream before the aggregator starts, so that it writes flat out from its start.
        var padding = new string('x', 200);
        var messages = Enumerable.Range(0, 20000).Select(i => $"kill {i:D5} {padding}").ToList();
        await NatsAggregatorChecks.PublishAsync(nats, messages);

        var aggregator = new StrongBox<ChildProcess?>();
        try
        {
            var kills = await NatsAggregatorChecks.KillWhileWritingAsync(aggregator, log, arguments, messages.Count, seed: 20);
            Assert.True(kills >= 2, $"the aggregator wrote everything after {kills} kills");
            await log.WaitForAsync(messages.Count, TimeSpan.FromSeconds(60));

            // Past AckWait: what was delivered and not acknowledged came again, and was not logged again.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(messages, log.Texts().Order(StringComparer.Ordinal));
        }
        finally
        {
            if (aggregator.Value is { } running)
            {
                await running.DisposeAsync();
            }
        }
    }
}
