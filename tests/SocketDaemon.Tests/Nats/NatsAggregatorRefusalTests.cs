using NATS.Client.JetStream.Models;
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
    [Theory]
    [InlineData(NatsAckPolicy.Explicit)]
    [InlineData(NatsAckPolicy.All)]
    public async Task Messages_refused_by_the_aggregators_rate_limit_come_again_and_are_each_logged_once(NatsAckPolicy policy)
    {
        await using var nats = await NatsServer.StartAsync();
        var messages = Enumerable.Range(0, 5000).Select(i => $"refused {i:D4}").ToList();
        await NatsAggregatorChecks.PublishAsync(nats, messages, batch: 500);

        // A burst far below a fetched batch: most of each batch is refused while the rest is logged and recorded.
        await using var aggregator = await StartAggregatorAsync(nats, new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:jetstream:RateLimit:MessagesPerSecond"] = "2000",
            ["SocketDaemon:Listeners:jetstream:RateLimit:Burst"] = "200",
        }, policy: policy);

        await WaitUntilAllAcknowledgedAsync(nats, messages.Count, policy);
        var refused = aggregator.Listeners["jetstream"].ErrorsByReason.GetValueOrDefault(ErrorReasons.RateLimited);
        var dispatched = aggregator.Listeners["jetstream"].Messages;

        // Stopped gracefully: every delivery it had received is settled, so nothing can be logged after the reading.
        await aggregator.StopAsync();
        Assert.True(refused >= 100, $"only {refused} deliveries were refused: the limit did not bite");
        NatsAggregatorChecks.AssertEachOnce(messages, aggregator.Log.Texts());
        Assert.Equal(messages.Count, dispatched);
    }

    [Theory]
    [InlineData(NatsAckPolicy.Explicit)]
    [InlineData(NatsAckPolicy.All)]
    public async Task A_message_refused_while_a_second_copy_of_it_waits_in_the_same_batch_is_asked_for_again_not_acknowledged(NatsAckPolicy policy)
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
        }, policy: policy);

        await NatsAggregatorChecks.PublishAsync(nats, ["held"], batch: 500);
        await NatsAggregatorChecks.WaitForConsumerAsync(nats, info => info.NumAckPending == 1 && info.NumPending == 0, "the first batch to be delivered");
        var messages = Enumerable.Range(0, 300).Select(i => $"behind {i:D3}").ToList();
        await NatsAggregatorChecks.PublishAsync(nats, messages, batch: 500);
        await NatsAggregatorChecks.WaitForConsumerAsync(nats, info => info.NumPending == 0 && info.NumRedelivered >= messages.Count + 1, "everything to be delivered again after AckWait");

        await File.WriteAllTextAsync(gate, "");
        await WaitUntilAllAcknowledgedAsync(nats, messages.Count + 1, policy);
        var refused = aggregator.Listeners["jetstream"].ErrorsByReason.GetValueOrDefault(ErrorReasons.RateLimited);
        await aggregator.StopAsync();

        Assert.True(refused >= 100, $"only {refused} deliveries were refused: the limit did not bite");
        NatsAggregatorChecks.AssertEachOnce(["held", .. messages], aggregator.Log.Texts());
    }

    [Fact]
    public async Task A_message_whose_step_failed_comes_again_and_that_step_takes_it_once()
    {
        await using var nats = await NatsServer.StartAsync();
        using var directory = new TempDirectory();
        var messages = Enumerable.Range(0, 1000).Select(i => $"failed {i:D4}").ToList();
        await NatsAggregatorChecks.PublishAsync(nats, messages, batch: 500);

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

        await WaitUntilAllAcknowledgedAsync(nats, messages.Count, NatsAckPolicy.Explicit);
        var failed = aggregator.Listeners["jetstream"].ErrorsByReason.GetValueOrDefault(ErrorReasons.HandlerFailed);
        await aggregator.StopAsync();

        Assert.Equal(100, failed);
        NatsAggregatorChecks.AssertEachOnce(messages, await File.ReadAllLinesAsync(taken));
    }

    private static Task<TestDaemon> StartAggregatorAsync(NatsServer nats, Dictionary<string, string?> settings, bool rateLimit = true, NatsAckPolicy policy = NatsAckPolicy.Explicit)
    {
        settings["SocketDaemon:Listeners:jetstream:AckPolicy"] = policy.ToString();
        if (policy == NatsAckPolicy.All)
        {
            // Committed messages held above a refused one, delivered before the last acknowledgement, wait for their
            // next copy after AckWait.
            settings.TryAdd("SocketDaemon:Nats:AckWait", "00:00:03");
        }

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

    // JetStream holds nothing for the consumer any more: every message was acknowledged, none waits to be delivered
    // again. Under AckPolicy: All the floor covers every message below it (nats-server 2.9 may keep a pending entry
    // below it that an acknowledgement covered, so NumAckPending may not be 0).
    private static Task<ConsumerInfo> WaitUntilAllAcknowledgedAsync(NatsServer nats, int count, NatsAckPolicy policy) =>
        NatsAggregatorChecks.WaitForConsumerAsync(nats, info => info.NumPending == 0 && (info.NumAckPending == 0 || policy == NatsAckPolicy.All) && info.AckFloor.StreamSeq >= (ulong)count, $"all {count} messages to be acknowledged", TimeSpan.FromSeconds(60));
}
