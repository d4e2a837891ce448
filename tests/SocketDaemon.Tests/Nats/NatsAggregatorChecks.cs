using System.Runtime.CompilerServices;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Nats;

/// <summary>What the aggregator tests share: a real edge publishing, the consumer's state, kills while it writes.</summary>
internal static class NatsAggregatorChecks
{
    /// <summary>Each of <paramref name="expected"/> logged exactly once, nothing else.</summary>
    public static void AssertEachOnce(IReadOnlyList<string> expected, IReadOnlyList<string> logged)
    {
        var counts = logged.CountBy(static t => t).ToDictionary(StringComparer.Ordinal);
        var missing = expected.Where(m => !counts.ContainsKey(m)).ToList();
        var twice = counts.Where(static c => c.Value > 1).Select(static c => c.Key).ToList();
        Assert.True(missing.Count == 0 && twice.Count == 0, $"{missing.Count} missing (first: {missing.FirstOrDefault()}), {twice.Count} logged more than once (first: {twice.FirstOrDefault()})");
        Assert.Equal(expected.Order(StringComparer.Ordinal), logged.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Publishes through a real edge to stream LOGS, which publishes with the origin headers and is acknowledged once
    /// JetStream stored each.
    /// </summary>
    public static async Task PublishAsync(NatsServer nats, List<string> messages, int batch = 1000)
    {
        await using var edge = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Nats:Url"] = nats.Url,
            ["SocketDaemon:Pipeline:0:Handler"] = "Nats",
            ["SocketDaemon:Pipeline:0:Subject"] = "logs.{Host}.{Listener}",
            ["SocketDaemon:Pipeline:0:Stream"] = "LOGS",
        });
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = batch, RequestTimeout = TimeSpan.FromSeconds(60) });
        Assert.Equal(messages.Count, await client.SendManyAsync(messages));
    }

    /// <summary>
    /// Waits for <paramref name="count"/> lines in an aggregator's log; on a timeout, the message says where stream LOGS
    /// and the durable consumer <paramref name="consumer"/> stand (a pull request waiting or not, delivered, acknowledged).
    /// </summary>
    public static async Task<IReadOnlyList<string>> WaitForLoggedAsync(NatsServer nats, MessageLog log, int count, string consumer = "aggregators", TimeSpan? timeout = null)
    {
        try
        {
            return await log.WaitForAsync(count, timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} {await DescribeAsync(nats, consumer)}", ex);
        }
    }

    private static async Task<string> DescribeAsync(NatsServer nats, string consumer)
    {
        try
        {
            await using var connection = new NatsConnection(new NatsOpts { Url = nats.Url });
            var js = new NatsJSContext(connection);
            var stream = (await js.GetStreamAsync("LOGS")).Info.State;
            var info = (await js.GetConsumerAsync("LOGS", consumer)).Info;
            return $"Stream LOGS: {stream.Messages} messages, last sequence {stream.LastSeq}. {StateOf(consumer, info)}";
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            return $"NATS could not say where the consumer stands: {ex.Message}";
        }
    }

    /// <summary>Waits until the durable consumer LOGS/aggregators meets <paramref name="condition"/>; its state then.</summary>
    public static async Task<ConsumerInfo> WaitForConsumerAsync(NatsServer nats, Func<ConsumerInfo, bool> condition, string what, TimeSpan? timeout = null)
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
            }, what, timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} {StateOf("aggregators", last)}", ex);
        }

        return last!;
    }

    private static string StateOf(string consumer, ConsumerInfo? info) => info is null
        ? $"Consumer {consumer}: not created."
        : $"Consumer {consumer}: delivered stream sequence {info.Delivered.StreamSeq}, floor {info.AckFloor.StreamSeq}, pending {info.NumPending}, "
            + $"unacknowledged {info.NumAckPending}, redelivered {info.NumRedelivered}, pull requests waiting {info.NumWaiting}.";

    /// <summary>
    /// Starts the aggregator process and kills it (SIGKILL) the moment its log grows, while it writes a batch it has
    /// not acknowledged, and starts it again, up to <paramref name="kills"/> times or until all <paramref name="count"/>
    /// are logged; how many kills there were. <paramref name="aggregator"/> holds the process running (none while one
    /// starts, the last one when this returns).
    /// </summary>
    public static async Task<int> KillWhileWritingAsync(StrongBox<ChildProcess?> aggregator, MessageLog log, string[] arguments, int count, int seed, int kills = 4)
    {
        var random = new Random(seed);
        var killed = 0;
        while (true)
        {
            // Measured while no aggregator runs: all the next one writes is growth, also what it wrote before its
            // start-up line reached the test (on a busy machine that was once all that was left, and no kill came).
            var before = LogBytes(log);
            aggregator.Value = await StartProcessAsync(arguments);
            if (killed == kills)
            {
                return killed;
            }

            var deadline = DateTime.UtcNow + Wait.Timeout;
            while (LogBytes(log) == before && log.Texts().Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, "the aggregator did not write");
                await Task.Delay(1);
            }

            if (LogBytes(log) == before)
            {
                // Everything was logged before this one started.
                return killed;
            }

            await Task.Delay(random.Next(3));
            var process = aggregator.Value;
            process.Signal(9);
            await process.WaitForExitAsync();
            aggregator.Value = null;
            await process.DisposeAsync();
            killed++;
        }
    }

    /// <summary>The real daemon with only the listeners configured: --listen would replace the nats:// one.</summary>
    private static async Task<ChildProcess> StartProcessAsync(string[] arguments)
    {
        var process = ChildProcess.StartDaemon(arguments);
        await process.WaitForOutputAsync("Application started");
        return process;
    }

    private static long LogBytes(MessageLog log) =>
        Directory.Exists(log.Directory) ? Directory.GetFiles(log.Directory, "messages*.log").Sum(f => new FileInfo(f).Length) : 0;
}
