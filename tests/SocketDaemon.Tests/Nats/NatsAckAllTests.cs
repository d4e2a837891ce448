using System.Runtime.CompilerServices;
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
/// message pending at or below it; a consumer with the other policy is a clear error. (That none is lost with it, across
/// <c>kill -9</c> and refusals, <see cref="NatsAggregatorCrashTests"/> and <see cref="NatsAggregatorRefusalTests"/>
/// prove for both policies.) A real nats-server, a real edge publishing to it, the real aggregator and its log file.
/// </summary>
public class NatsAckAllTests
{
    [Fact]
    public async Task A_batch_is_acknowledged_with_one_acknowledgement_of_its_highest_sequence()
    {
        await using var nats = await NatsServer.StartAsync();
        var messages = Enumerable.Range(0, 2000).Select(i => $"batched {i:D4}").ToList();
        await NatsAggregatorChecks.PublishAsync(nats, messages);

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
        NatsAggregatorChecks.AssertEachOnce(messages, aggregator.Log.Texts());
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

    private static Task<TestDaemon> StartAggregatorAsync(NatsServer nats, Dictionary<string, string?> settings)
    {
        settings["SocketDaemon:Listeners:jetstream:Endpoint"] = nats.Url;
        settings["SocketDaemon:Listeners:jetstream:Stream"] = "LOGS";
        settings["SocketDaemon:Listeners:jetstream:Consumer"] = "aggregators";
        settings["SocketDaemon:Listeners:jetstream:FilterSubject"] = "logs.>";
        settings["SocketDaemon:Listeners:jetstream:AckPolicy"] = "All";
        return TestDaemon.StartAsync(settings);
    }

    // Under AckPolicy: All the floor covers every message below it. (nats-server 2.9 may keep a pending entry below
    // the floor that an acknowledgement covered, so NumAckPending may not be 0.)
    private static Task<ConsumerInfo> WaitUntilAllAcknowledgedAsync(NatsServer nats, int count, TimeSpan timeout) =>
        NatsAggregatorChecks.WaitForConsumerAsync(nats, info => info.NumPending == 0 && info.AckFloor.StreamSeq >= (ulong)count, $"all {count} messages to be acknowledged", timeout);
}
