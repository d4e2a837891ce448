using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SocketDaemon.Client;
using SocketDaemon.Connections;
using SocketDaemon.Listeners.Internal;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Nats;

/// <summary>
/// A <c>nats://</c> listener with <c>AckPolicy: All</c>: one acknowledgement per batch, which JetStream takes for every
/// message pending at or below it, and still none lost: not across <c>kill -9</c> (the messages a killed run held come
/// back after <c>AckWait</c>, below later ones), not when messages are refused and asked for again. A real
/// nats-server, a real edge publishing to it, the real aggregator (host or process) and its real log file.
/// </summary>
public class NatsAckAllTests
{
    [Fact]
    public async Task The_aggregator_with_AckPolicy_All_killed_while_it_writes_logs_every_message_exactly_once()
    {
        await using var nats = await NatsServer.StartAsync();
        using var directory = new TempDirectory();
        var log = new MessageLog(directory.Combine("logs"));
        string[] arguments =
        [
            "--log-dir", log.Directory,
            "--SocketDaemon:Listeners:unix:Endpoint", "unix:" + directory.Combine("d.sock"),
            "--SocketDaemon:Durability", "fsync",
            // What a killed aggregator held comes again soon after the restart, below what the new one logs meanwhile.
            "--SocketDaemon:Nats:AckWait", "00:00:02",
            "--SocketDaemon:Listeners:jetstream:Endpoint", nats.Url,
            "--SocketDaemon:Listeners:jetstream:Stream", "LOGS",
            "--SocketDaemon:Listeners:jetstream:Consumer", "aggregators",
            "--SocketDaemon:Listeners:jetstream:FilterSubject", "logs.>",
            "--SocketDaemon:Listeners:jetstream:AckPolicy", "All",
        ];

        var padding = new string('x', 200);
        var messages = Enumerable.Range(0, 20000).Select(i => $"kill {i:D5} {padding}").ToList();
        await PublishAsync(nats, messages);

        var aggregator = await StartProcessAsync(arguments);
        try
        {
            var random = new Random(21);
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
                    break;
                }

                await Task.Delay(random.Next(3));
                aggregator.Signal(9);
                await aggregator.WaitForExitAsync();
                await aggregator.DisposeAsync();
                kills++;
                aggregator = await StartProcessAsync(arguments);
            }

            Assert.True(kills >= 2, $"the aggregator wrote everything after {kills} kills");
            try
            {
                await WaitUntilAllAcknowledgedAsync(nats, messages.Count, TimeSpan.FromSeconds(40));

                // Past AckWait: what was delivered and not acknowledged came again, and was not logged again.
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{ex.Message} The aggregator's output:\n{aggregator.StandardOutput[^Math.Min(4000, aggregator.StandardOutput.Length)..]}", ex);
            }

            AssertEachOnce(messages, log.Texts());
        }
        finally
        {
            await aggregator.DisposeAsync();
        }
    }

    [Fact]
    public async Task Messages_refused_with_AckPolicy_All_come_again_and_are_each_logged_once()
    {
        await using var nats = await NatsServer.StartAsync();
        var messages = Enumerable.Range(0, 5000).Select(i => $"refused {i:D4}").ToList();
        await PublishAsync(nats, messages);

        // Most of each batch is refused while the rest is logged: acknowledgements must stop below each refused one.
        await using var aggregator = await StartAggregatorAsync(nats, new Dictionary<string, string?>
        {
            ["SocketDaemon:Nats:AckWait"] = "00:00:03",
            ["SocketDaemon:Listeners:jetstream:RateLimit:MessagesPerSecond"] = "2000",
            ["SocketDaemon:Listeners:jetstream:RateLimit:Burst"] = "200",
            ["SocketDaemon:Listeners:jetstream:RateLimit:Action"] = "reject",
            ["SocketDaemon:Listeners:jetstream:RateLimit:Per"] = "listener",
        });

        await WaitUntilAllAcknowledgedAsync(nats, messages.Count, TimeSpan.FromSeconds(60));
        var refused = aggregator.Listeners["jetstream"].ErrorsByReason.GetValueOrDefault(ErrorReasons.RateLimited);
        await aggregator.StopAsync();
        Assert.True(refused >= 100, $"only {refused} deliveries were refused: the limit did not bite");
        AssertEachOnce(messages, aggregator.Log.Texts());
    }

    [Fact]
    public async Task With_AckPolicy_All_a_message_refused_while_a_second_copy_of_it_waits_in_the_same_batch_is_not_lost()
    {
        await using var nats = await NatsServer.StartAsync();
        using var directory = new TempDirectory();

        // The first batch is held in an Exec step until the gate file exists, so that what the aggregator fetched
        // behind it outlives AckWait and JetStream delivers it again: both copies then run in one batch, and most
        // first copies are refused.
        var gate = directory.Combine("open");
        await using var aggregator = await StartAggregatorAsync(nats, new Dictionary<string, string?>
        {
            ["SocketDaemon:Nats:AckWait"] = "00:00:01",
            ["SocketDaemon:Nats:FetchBatch"] = "2000",
            ["SocketDaemon:Listeners:jetstream:RateLimit:MessagesPerSecond"] = "200",
            ["SocketDaemon:Listeners:jetstream:RateLimit:Burst"] = "20",
            ["SocketDaemon:Listeners:jetstream:RateLimit:Action"] = "reject",
            ["SocketDaemon:Listeners:jetstream:RateLimit:Per"] = "listener",
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
        await WaitUntilAllAcknowledgedAsync(nats, messages.Count + 1, TimeSpan.FromSeconds(60));
        var refused = aggregator.Listeners["jetstream"].ErrorsByReason.GetValueOrDefault(ErrorReasons.RateLimited);
        await aggregator.StopAsync();

        Assert.True(refused >= 100, $"only {refused} deliveries were refused: the limit did not bite");
        AssertEachOnce(["held", .. messages], aggregator.Log.Texts());
    }

    [Fact]
    public async Task A_batch_is_acknowledged_with_one_acknowledgement_of_its_highest_sequence()
    {
        await using var nats = await NatsServer.StartAsync();
        var messages = Enumerable.Range(0, 2000).Select(i => $"batched {i:D4}").ToList();
        await PublishAsync(nats, messages);

        // Every acknowledgement the aggregator sends, as NATS routes it to the consumer.
        await using var watcher = new NatsConnection(new NatsOpts { Url = nats.Url });
        await using var acks = await watcher.SubscribeCoreAsync<byte[]>("$JS.ACK.LOGS.aggregators.>");
        await watcher.PingAsync();

        await using var aggregator = await StartAggregatorAsync(nats, new Dictionary<string, string?>
        {
            ["SocketDaemon:Nats:FetchBatch"] = "500",
        });
        await WaitUntilAllAcknowledgedAsync(nats, messages.Count, Wait.Timeout);
        await aggregator.StopAsync();
        await watcher.PingAsync();

        var sequences = new List<ulong>();
        while (acks.Msgs.TryRead(out var ack))
        {
            Assert.True(NatsReplySubject.TryStreamSequence(ack.Subject, out var sequence));
            sequences.Add(sequence);
        }

        // Explicit sends one per message; All one per batch, each above the one before, the last the stream's last.
        Assert.True(sequences.Count < messages.Count / 2, $"{sequences.Count} acknowledgements for {messages.Count} messages");
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.Equal((ulong)messages.Count, sequences[^1]);
        AssertEachOnce(messages, aggregator.Log.Texts());
    }

    [Theory]
    [InlineData(NatsAckPolicy.Explicit, NatsAckPolicy.All, "consumer aggregators of stream LOGS exists with ack policy explicit; AckPolicy: All needs a new consumer")]
    [InlineData(NatsAckPolicy.All, NatsAckPolicy.Explicit, "consumer aggregators of stream LOGS exists with ack policy all; AckPolicy: Explicit needs a new consumer")]
    public async Task A_consumer_that_exists_with_the_other_ack_policy_is_a_clear_error_and_is_left_as_it_is(NatsAckPolicy existing, NatsAckPolicy wanted, string error)
    {
        await using var nats = await NatsServer.StartAsync();
        await using var connection = new NatsConnection(new NatsOpts { Url = nats.Url });
        var js = new NatsJSContext(connection);
        await js.CreateStreamAsync(new StreamConfig("LOGS", ["logs.>"]));
        var policy = existing == NatsAckPolicy.All ? ConsumerConfigAckPolicy.All : ConsumerConfigAckPolicy.Explicit;
        await js.CreateOrUpdateConsumerAsync("LOGS", new ConsumerConfig("aggregators") { DurableName = "aggregators", AckPolicy = policy });

        using var directory = new TempDirectory();
        await using var aggregator = ChildProcess.StartDaemon(
        [
            "--log-dir", directory.Combine("logs"),
            "--SocketDaemon:Listeners:unix:Endpoint", "unix:" + directory.Combine("d.sock"),
            "--SocketDaemon:Listeners:jetstream:Endpoint", nats.Url,
            "--SocketDaemon:Listeners:jetstream:Stream", "LOGS",
            "--SocketDaemon:Listeners:jetstream:Consumer", "aggregators",
            "--SocketDaemon:Listeners:jetstream:FilterSubject", "logs.>",
            "--SocketDaemon:Listeners:jetstream:AckPolicy", wanted.ToString(),
        ]);
        await aggregator.WaitForOutputAsync(error);
        Assert.Contains("Listener jetstream", aggregator.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("nats consumer rm LOGS aggregators", aggregator.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(policy, (await js.GetConsumerAsync("LOGS", "aggregators")).Info.Config.AckPolicy);
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
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 1000, RequestTimeout = TimeSpan.FromSeconds(60) });
        Assert.Equal(messages.Count, await client.SendManyAsync(messages));
    }

    private static Task<TestDaemon> StartAggregatorAsync(NatsServer nats, Dictionary<string, string?> settings)
    {
        settings["SocketDaemon:Listeners:jetstream:Endpoint"] = nats.Url;
        settings["SocketDaemon:Listeners:jetstream:Stream"] = "LOGS";
        settings["SocketDaemon:Listeners:jetstream:Consumer"] = "aggregators";
        settings["SocketDaemon:Listeners:jetstream:FilterSubject"] = "logs.>";
        settings["SocketDaemon:Listeners:jetstream:AckPolicy"] = "All";
        return TestDaemon.StartAsync(settings);
    }

    // The real daemon with only the listeners configured: --listen would replace the nats:// one.
    private static async Task<ChildProcess> StartProcessAsync(string[] arguments)
    {
        var process = ChildProcess.StartDaemon(arguments);
        await process.WaitForOutputAsync("Application started");
        return process;
    }

    private static long LogBytes(MessageLog log) =>
        Directory.Exists(log.Directory) ? Directory.GetFiles(log.Directory, "messages*.log").Sum(f => new FileInfo(f).Length) : 0;

    private static async Task WaitForConsumerAsync(NatsServer nats, Func<ConsumerInfo, bool> condition, string what)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = nats.Url });
        var js = new NatsJSContext(connection);
        await Wait.UntilAsync(async () =>
        {
            try
            {
                return condition((await js.GetConsumerAsync("LOGS", "aggregators")).Info);
            }
            catch (NatsJSApiException)
            {
                return false;
            }
        }, what);
    }

    // JetStream holds nothing for the consumer any more: every message was acknowledged, none waits to be delivered again.
    private static async Task<ConsumerInfo> WaitUntilAllAcknowledgedAsync(NatsServer nats, int count, TimeSpan timeout)
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
                    // Under AckPolicy: All the floor covers every message below it. (nats-server 2.9 may keep a
                    // pending entry below the floor that an acknowledgement covered, so NumAckPending may not be 0.)
                    return last.NumPending == 0 && last.AckFloor.StreamSeq >= (ulong)count;
                }
                catch (NatsJSApiException)
                {
                    return false;
                }
            }, $"all {count} messages to be acknowledged", timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} The consumer: pending {last?.NumPending}, unacknowledged {last?.NumAckPending}, redelivered {last?.NumRedelivered}, floor {last?.AckFloor.StreamSeq}.", ex);
        }

        return last!;
    }
}
