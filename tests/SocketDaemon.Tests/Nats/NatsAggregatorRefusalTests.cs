using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SocketDaemon.Client;
using SocketDaemon.Connections;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Nats;

/// <summary>
/// Messages an aggregator refuses (its <c>nats://</c> listener's rate limit, <c>Action: reject</c>) or whose pipeline
/// fails are asked for again (a NAK) while later ones are logged and recorded in its journal: each comes again, and
/// none is lost or taken as logged when it was not. A real nats-server, a real edge publishing to it, the real
/// aggregator host and its real log file.
/// </summary>
public class NatsAggregatorRefusalTests
{
    [Fact]
    public async Task Messages_refused_by_the_aggregators_rate_limit_come_again_and_are_each_logged_once()
    {
        await using var nats = await NatsServer.StartAsync();
        var messages = Enumerable.Range(0, 5000).Select(i => $"refused {i:D4}").ToList();
        await PublishAsync(nats, messages);

        // A burst far below a fetched batch: most of each batch is refused while the rest is logged and recorded.
        await using var aggregator = await StartAggregatorAsync(nats, new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:jetstream:RateLimit:MessagesPerSecond"] = "2000",
            ["SocketDaemon:Listeners:jetstream:RateLimit:Burst"] = "200",
        });

        await WaitUntilAllAcknowledgedAsync(nats, messages.Count);
        var refused = aggregator.Listeners["jetstream"].ErrorsByReason.GetValueOrDefault(ErrorReasons.RateLimited);
        var dispatched = aggregator.Listeners["jetstream"].Messages;

        // Stopped gracefully: every delivery it had received is settled, so nothing can be logged after the reading.
        await aggregator.StopAsync();
        Assert.True(refused >= 100, $"only {refused} deliveries were refused: the limit did not bite");
        AssertEachOnce(messages, aggregator.Log.Texts());
        Assert.Equal(messages.Count, dispatched);
    }

    [Fact]
    public async Task A_message_refused_while_a_second_copy_of_it_waits_in_the_same_batch_is_asked_for_again_not_acknowledged()
    {
        await using var nats = await NatsServer.StartAsync();
        using var directory = new TempDirectory();

        // The first batch is held in an Exec step until the gate file exists, so that what the aggregator fetched
        // behind it outlives AckWait and JetStream delivers it again: both copies then run in one batch.
        var gate = directory.Combine("open");
        await using var aggregator = await StartAggregatorAsync(nats, new Dictionary<string, string?>
        {
            ["SocketDaemon:Nats:AckWait"] = "00:00:01",
            ["SocketDaemon:Nats:FetchBatch"] = "2000",
            ["SocketDaemon:Listeners:jetstream:RateLimit:MessagesPerSecond"] = "200",
            ["SocketDaemon:Listeners:jetstream:RateLimit:Burst"] = "20",
            ["SocketDaemon:Pipeline:0:Handler"] = "Exec",
            ["SocketDaemon:Pipeline:0:Mode"] = "transform",
            ["SocketDaemon:Pipeline:0:Command"] = "/bin/bash",
            ["SocketDaemon:Pipeline:0:Args:0"] = "-c",
            ["SocketDaemon:Pipeline:0:Args:1"] = "while IFS= read -r line; do while [ ! -e \"$0\" ]; do sleep 0.01; done; printf '%s\\n' \"$line\"; done",
            ["SocketDaemon:Pipeline:0:Args:2"] = gate,
            ["SocketDaemon:Pipeline:0:Timeout"] = "00:01:00",
            ["SocketDaemon:Pipeline:1:Handler"] = "Log",
        });

        await PublishAsync(nats, ["held"]);
        await WaitForConsumerAsync(nats, info => info.NumAckPending == 1 && info.NumPending == 0, "the first batch to be delivered");
        var messages = Enumerable.Range(0, 300).Select(i => $"behind {i:D3}").ToList();
        await PublishAsync(nats, messages);
        await WaitForConsumerAsync(nats, info => info.NumPending == 0 && info.NumRedelivered >= messages.Count + 1, "everything to be delivered again after AckWait");

        await File.WriteAllTextAsync(gate, "");
        await WaitUntilAllAcknowledgedAsync(nats, messages.Count + 1);
        var refused = aggregator.Listeners["jetstream"].ErrorsByReason.GetValueOrDefault(ErrorReasons.RateLimited);
        await aggregator.StopAsync();

        Assert.True(refused >= 100, $"only {refused} deliveries were refused: the limit did not bite");
        AssertEachOnce(["held", .. messages], aggregator.Log.Texts());
    }

    [Fact]
    public async Task A_message_whose_step_failed_comes_again_and_that_step_takes_it_once()
    {
        await using var nats = await NatsServer.StartAsync();
        using var directory = new TempDirectory();
        var messages = Enumerable.Range(0, 1000).Select(i => $"failed {i:D4}").ToList();
        await PublishAsync(nats, messages);

        // The child ends the pipeline (as Log, Forward and the other outputs do): it refuses each message ending in 7
        // the first time it sees it, so that the step fails, takes it the next time, and writes down what it took.
        var taken = directory.Combine("taken.txt");
        await using var aggregator = await StartAggregatorAsync(nats, new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Exec",
            ["SocketDaemon:Pipeline:0:Mode"] = "consume",
            ["SocketDaemon:Pipeline:0:ConfirmWithOk"] = "true",
            ["SocketDaemon:Pipeline:0:Command"] = "/bin/bash",
            ["SocketDaemon:Pipeline:0:Args:0"] = "-c",
            ["SocketDaemon:Pipeline:0:Args:1"] = "declare -A seen; while IFS= read -r line; do if [[ $line == *7 && -z ${seen[$line]} ]]; then seen[\"$line\"]=1; echo NO; else printf '%s\\n' \"$line\" >> \"$0\"; echo OK; fi; done",
            ["SocketDaemon:Pipeline:0:Args:2"] = taken,
        }, rateLimit: false);

        await WaitUntilAllAcknowledgedAsync(nats, messages.Count);
        var failed = aggregator.Listeners["jetstream"].ErrorsByReason.GetValueOrDefault(ErrorReasons.HandlerFailed);
        await aggregator.StopAsync();

        Assert.Equal(100, failed);
        AssertEachOnce(messages, await File.ReadAllLinesAsync(taken));
    }

    private static void AssertEachOnce(IReadOnlyList<string> expected, IReadOnlyList<string> logged)
    {
        var counts = logged.CountBy(static t => t).ToDictionary(StringComparer.Ordinal);
        var missing = expected.Where(m => !counts.ContainsKey(m)).ToList();
        var twice = counts.Where(static c => c.Value > 1).Select(static c => c.Key).ToList();
        Assert.True(missing.Count == 0 && twice.Count == 0, $"{missing.Count} missing (first: {missing.FirstOrDefault()}), {twice.Count} logged more than once (first: {twice.FirstOrDefault()})");
        Assert.Equal(expected.Order(StringComparer.Ordinal), logged.Order(StringComparer.Ordinal));
    }

    // Through a real edge, which publishes with the origin headers and is acknowledged once JetStream stored each.
    private static async Task PublishAsync(NatsServer nats, List<string> messages)
    {
        await using var edge = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Nats:Url"] = nats.Url,
            ["SocketDaemon:Pipeline:0:Handler"] = "Nats",
            ["SocketDaemon:Pipeline:0:Subject"] = "logs.{Host}.{Listener}",
            ["SocketDaemon:Pipeline:0:Stream"] = "LOGS",
        });
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 500, RequestTimeout = TimeSpan.FromSeconds(60) });
        Assert.Equal(messages.Count, await client.SendManyAsync(messages));
    }

    private static Task<TestDaemon> StartAggregatorAsync(NatsServer nats, Dictionary<string, string?> settings, bool rateLimit = true)
    {
        settings["SocketDaemon:Listeners:jetstream:Endpoint"] = nats.Url;
        settings["SocketDaemon:Listeners:jetstream:Stream"] = "LOGS";
        settings["SocketDaemon:Listeners:jetstream:Consumer"] = "aggregators";
        settings["SocketDaemon:Listeners:jetstream:FilterSubject"] = "logs.>";
        if (rateLimit)
        {
            settings["SocketDaemon:Listeners:jetstream:RateLimit:Action"] = "reject";
            settings["SocketDaemon:Listeners:jetstream:RateLimit:Per"] = "listener";
        }

        return TestDaemon.StartAsync(settings);
    }

    // JetStream holds nothing for the consumer any more: every message was acknowledged, none waits to be delivered again.
    private static Task WaitUntilAllAcknowledgedAsync(NatsServer nats, int count) =>
        WaitForConsumerAsync(nats, info => info.NumPending == 0 && info.NumAckPending == 0 && info.AckFloor.StreamSeq >= (ulong)count, $"all {count} messages to be acknowledged");

    private static async Task WaitForConsumerAsync(NatsServer nats, Func<ConsumerInfo, bool> condition, string what)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = nats.Url });
        var js = new NatsJSContext(connection);
        ConsumerInfo? last = null;
        try
        {
            await Wait.UntilAsync(async () =>
            {
                try
                {
                    last = (await js.GetConsumerAsync("LOGS", "aggregators")).Info;
                    return condition(last);
                }
                catch (NatsJSApiException)
                {
                    // The aggregator has not created its consumer yet.
                    return false;
                }
            }, what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} The consumer: pending {last?.NumPending}, unacknowledged {last?.NumAckPending}, redelivered {last?.NumRedelivered}, floor {last?.AckFloor.StreamSeq}.", ex);
        }
    }
}
