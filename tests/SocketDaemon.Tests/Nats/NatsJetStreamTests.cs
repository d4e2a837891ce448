using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SocketDaemon.Client;
using SocketDaemon.Nats;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Nats;

/// <summary>
/// Edge daemons publish to NATS JetStream (a real nats-server); aggregator daemons consume it with a durable
/// consumer and write the message log.
/// </summary>
public class NatsJetStreamTests
{
    [Fact]
    public async Task Messages_sent_to_the_edge_are_acknowledged_once_JetStream_has_them_and_the_aggregator_logs_each_once()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var edge = await StartEdgeAsync(nats);
        await using var aggregator = await StartAggregatorAsync(nats, "aggregators");
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix);

        var sent = await client.SendManyAsync(Messages("edge", 1000));

        Assert.Equal(1000, sent);
        var logged = await aggregator.Log.WaitForAsync(1000);
        Assert.Equal(Messages("edge", 1000), logged.Order(StringComparer.Ordinal));
        Assert.Empty(edge.Log.Texts());

        // The aggregator names the listener it read from and the edge's peer: this test's process.
        var line = await aggregator.Log.WaitForTextAsync("edge 0000");
        Assert.Contains($" jetstream [pid={Environment.ProcessId} ", line, StringComparison.Ordinal);
        Assert.Equal(1000, aggregator.Listeners["jetstream"].Messages);
    }

    [Fact]
    public async Task The_aggregator_logs_the_origin_the_edge_published_as_a_relay_does()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var edge = await StartEdgeAsync(nats);
        await using var aggregator = await StartAggregatorAsync(nats, "origins", outputTemplate: "{OriginHost} {OriginListener} [{OriginPeer}] {OriginReceivedAt:yyyy} via {Listener} #{ConnectionId}: {Text:l}{NewLine}");
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix);

        await client.SendAsync("from the edge");

        // The same Origin* properties a relay logs for a message forwarded over the native protocol.
        var line = await aggregator.Log.WaitForTextAsync("from the edge");
        Assert.StartsWith($"{Environment.MachineName} unix [pid={Environment.ProcessId} ", line, StringComparison.Ordinal);
        Assert.Contains($"] {DateTimeOffset.UtcNow:yyyy} via jetstream #", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_published_by_something_else_is_logged_once_escaped_whatever_its_origin_headers_say()
    {
        // Anything allowed to publish to the stream's subjects reaches the aggregator: `nats pub`, another program,
        // a hostile one. Its headers are not an edge daemon's, and what they claim must neither stop the consumer nor
        // get into the log unescaped.
        await using var nats = await NatsServer.StartAsync();
        await using var aggregator = await StartAggregatorAsync(nats, "foreign");
        await using var connection = new NatsConnection(new NatsOpts { Url = nats.Url });
        var js = new NatsJSContext(connection);
        var now = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var published = new (string Text, NatsHeaders? Headers)[]
        {
            ("no headers at all", null),
            ("numbers that are not", new NatsHeaders { [NatsOriginHeaders.Host] = "h", [NatsOriginHeaders.Received] = now, [NatsOriginHeaders.Pid] = "twelve", [NatsOriginHeaders.Uid] = "-1", [NatsOriginHeaders.Gid] = "99999999999999999999" }),
            ("a time that is not", new NatsHeaders { [NatsOriginHeaders.Host] = "h", [NatsOriginHeaders.Received] = "yesterday", [NatsOriginHeaders.Peer] = "not an address" }),
            ("a terminal escape in comm", new NatsHeaders { [NatsOriginHeaders.Host] = "h", [NatsOriginHeaders.Received] = now, [NatsOriginHeaders.Pid] = "7", [NatsOriginHeaders.Uid] = "0", [NatsOriginHeaders.Gid] = "0", [NatsOriginHeaders.Comm] = "\u001b[31mred\u0007" }),
            ("a long comm", new NatsHeaders { [NatsOriginHeaders.Host] = new string('h', 4000), [NatsOriginHeaders.Received] = now, [NatsOriginHeaders.Pid] = "7", [NatsOriginHeaders.Uid] = "0", [NatsOriginHeaders.Gid] = "0", [NatsOriginHeaders.Comm] = new string('c', 4000) }),
            ("a control byte in the text \u001b[2J", null),
        };

        foreach (var (text, headers) in published)
        {
            await PublishWhenTheStreamIsThereAsync(js, "logs.foreign", text, headers);
        }

        var logged = await aggregator.Log.WaitForAsync(published.Length);
        Assert.Equal(
            published.Select(static p => p.Text.Replace("\u001b", "\\x1b", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            logged.Order(StringComparer.Ordinal));

        // Without credentials or an address it believes, the aggregator names no peer; with them, it names what they
        // say, escaped like the text.
        Assert.Contains(" jetstream [-] #", await aggregator.Log.WaitForTextAsync("no headers at all"), StringComparison.Ordinal);
        Assert.Contains(" jetstream [-] #", await aggregator.Log.WaitForTextAsync("numbers that are not"), StringComparison.Ordinal);
        Assert.Contains(" jetstream [-] #", await aggregator.Log.WaitForTextAsync("a time that is not"), StringComparison.Ordinal);
        Assert.Contains(" [pid=7 uid=0 gid=0 comm=\\x1b[31mred\\x07] #", await aggregator.Log.WaitForTextAsync("a terminal escape in comm"), StringComparison.Ordinal);
        var bytes = Directory.GetFiles(aggregator.Log.Directory, "messages*.log").SelectMany(File.ReadAllBytes).ToArray();
        Assert.DoesNotContain(bytes, static b => b < 0x20 && b != (byte)'\n');
        Assert.Equal(published.Length, aggregator.Listeners["jetstream"].Messages);
    }

    [Fact]
    public async Task While_NATS_is_down_the_edge_holds_the_message_and_acknowledges_it_only_once_JetStream_has_it()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var edge = await StartEdgeAsync(nats);
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
        await nats.StopAsync();

        var sending = client.SendAsync("held while NATS is down");
        var publishers = edge.Host.Services.GetRequiredService<NatsPublishers>();
        await Wait.UntilAsync(() => publishers.Pending == 1, "the edge to hold the message");
        Assert.False(sending.IsCompleted);

        await nats.StartAgainAsync();
        await sending.WaitAsync(Wait.Timeout);
        await using var aggregator = await StartAggregatorAsync(nats, "aggregators");
        Assert.Equal(["held while NATS is down"], await aggregator.Log.WaitForAsync(1));
        Assert.Equal(0, publishers.Pending);
    }

    [Fact]
    public async Task Status_and_metrics_show_what_waits_in_the_edge_NATS_spool()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var edge = await StartEdgeAsync(nats);
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
        await nats.StopAsync();

        var sending = client.SendManyAsync(Messages("waiting", 3));
        var publishers = edge.Host.Services.GetRequiredService<NatsPublishers>();
        await Wait.UntilAsync(() => publishers.Pending == 3, "the edge to hold the messages");

        var (_, _, body) = HttpExchange.Parse(await HttpExchange.GetAsync(edge.Unix, "/status"));
        var outbox = Assert.Single(System.Text.Json.JsonSerializer.Deserialize(body, SocketDaemon.Client.Status.StatusJsonContext.Default.DaemonStatus)!.NatsOutboxes);
        Assert.Equal(("LOGS", nats.Url, 3L), (outbox.Stream, outbox.Url, outbox.Pending));
        Assert.True(outbox.SpoolBytes > 0, $"the spool holds {outbox.SpoolBytes} bytes");
        Assert.StartsWith(edge.Directory, outbox.Spool, StringComparison.Ordinal);
        var (_, _, metrics) = HttpExchange.Parse(await HttpExchange.GetAsync(edge.Unix, "/metrics"));
        Assert.Contains($"socketdaemon_nats_pending{{stream=\"LOGS\",url=\"{nats.Url}\"}} 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"socketdaemon_nats_spool_bytes{{stream=\"LOGS\",url=\"{nats.Url}\"}} {outbox.SpoolBytes}\n", metrics, StringComparison.Ordinal);

        await nats.StartAgainAsync();
        await sending.WaitAsync(Wait.Timeout);
        Assert.Equal(0, publishers.Pending);
    }

    [Fact]
    public async Task With_local_acknowledgement_messages_spooled_while_NATS_is_down_survive_a_killed_edge_and_arrive_once()
    {
        await using var nats = await NatsServer.StartAsync();
        await nats.StopAsync();
        using var edgeDirectory = new TempDirectory();
        string[] edgeArguments =
        [
            $"--SocketDaemon:Nats:Url={nats.Url}",
            "--SocketDaemon:Pipeline:0:Handler=Nats",
            "--SocketDaemon:Pipeline:0:Stream=LOGS",
            "--SocketDaemon:Pipeline:0:Subject=logs.{Host}.{Listener}",
            "--SocketDaemon:Pipeline:0:Acknowledge=local",
        ];
        var edge = await DaemonProcess.StartAsync(edgeDirectory, edgeArguments);
        try
        {
            // Acknowledged once in the edge's spool, though NATS is down.
            await using (var client = await SocketDaemonClient.ConnectAsync(SocketEndpoint.Parse(edge.Endpoint), new SocketDaemonClientOptions { BatchMessages = 50 }))
            {
                Assert.Equal(600, await client.SendManyAsync(Messages("spooled", 600)));
            }

            edge.Process.Signal(9);
            await edge.Process.WaitForExitAsync();
            await edge.DisposeAsync();
            edge = await DaemonProcess.StartAsync(edgeDirectory, edgeArguments);
            await using (var client = await SocketDaemonClient.ConnectAsync(SocketEndpoint.Parse(edge.Endpoint), new SocketDaemonClientOptions { BatchMessages = 50 }))
            {
                Assert.Equal(400, await client.SendManyAsync(Messages("after", 400)));
            }

            await nats.StartAgainAsync();
            await using var aggregator = await StartAggregatorAsync(nats, "aggregators");
            await aggregator.Log.WaitForAsync(1000);
            await Task.Delay(500);
            Assert.Equal(Messages("after", 400).Concat(Messages("spooled", 600)).Order(StringComparer.Ordinal), aggregator.Log.Texts().Order(StringComparer.Ordinal));
        }
        finally
        {
            await edge.DisposeAsync();
        }
    }

    [Fact]
    public async Task NATS_restarted_mid_run_loses_and_duplicates_nothing()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var edge = await StartEdgeAsync(nats);
        // Deliveries and acknowledgements lost in the restart come again after AckWait.
        await using var aggregator = await StartAggregatorAsync(nats, "aggregators", ackWait: "00:00:02");
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 50, RequestTimeout = TimeSpan.FromSeconds(60) });

        var messages = Messages("restart", 2000).ToList();
        await client.SendManyAsync(messages[..1000]);
        await NatsAggregatorChecks.WaitForLoggedAsync(nats, aggregator.Log, 200);

        // The second half is on its way through the edge while NATS goes down and comes back.
        var sending = client.SendManyAsync(messages[1000..]);
        await nats.RestartAsync();
        Assert.Equal(1000, await sending);

        await NatsAggregatorChecks.WaitForLoggedAsync(nats, aggregator.Log, 2000);
        await Task.Delay(500);
        Assert.Equal(Messages("restart", 2000), aggregator.Log.Texts().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Two_aggregators_sharing_one_durable_consumer_split_the_work_and_log_every_message_once()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var edge = await StartEdgeAsync(nats);
        await using var first = await StartAggregatorAsync(nats, "shared");
        await using var second = await StartAggregatorAsync(nats, "shared");
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix);

        await client.SendManyAsync(Messages("split", 2000));

        await Wait.UntilAsync(() => first.Log.Texts().Count + second.Log.Texts().Count >= 2000, "2000 messages over both aggregators");
        await Task.Delay(500);
        var firstLogged = first.Log.Texts();
        var secondLogged = second.Log.Texts();
        Assert.NotEmpty(firstLogged);
        Assert.NotEmpty(secondLogged);
        Assert.Equal(Messages("split", 2000), firstLogged.Concat(secondLogged).Order(StringComparer.Ordinal));
    }

    private static async Task PublishWhenTheStreamIsThereAsync(NatsJSContext js, string subject, string text, NatsHeaders? headers)
    {
        // The aggregator makes the stream when it starts consuming: until then JetStream has no one to answer.
        await Wait.UntilAsync(
            async () =>
            {
                try
                {
                    var ack = await js.PublishAsync(subject, System.Text.Encoding.UTF8.GetBytes(text), headers: headers);
                    ack.EnsureSuccess();
                    return true;
                }
                catch (NatsJSPublishNoResponseException)
                {
                    return false;
                }
            },
            "stream LOGS");
    }

    private static IEnumerable<string> Messages(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => $"{prefix} {i:D4}");

    private static Task<TestDaemon> StartEdgeAsync(NatsServer nats) => TestDaemon.StartAsync(new Dictionary<string, string?>
    {
        ["SocketDaemon:Nats:Url"] = nats.Url,
        ["SocketDaemon:Pipeline:0:Handler"] = "Commands",
        ["SocketDaemon:Pipeline:1:Handler"] = "Nats",
        ["SocketDaemon:Pipeline:1:Subject"] = "logs.{Host}.{Listener}",
        ["SocketDaemon:Pipeline:1:Stream"] = "LOGS",
    });

    private static Task<TestDaemon> StartAggregatorAsync(NatsServer nats, string consumer, string ackWait = "00:00:30", string? outputTemplate = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SocketDaemon:Nats:AckWait"] = ackWait,
            ["SocketDaemon:Listeners:jetstream:Endpoint"] = nats.Url,
            ["SocketDaemon:Listeners:jetstream:Stream"] = "LOGS",
            ["SocketDaemon:Listeners:jetstream:Consumer"] = consumer,
            ["SocketDaemon:Listeners:jetstream:FilterSubject"] = "logs.>",
        };
        if (outputTemplate is not null)
        {
            settings["SocketDaemon:Pipeline:0:Handler"] = "Log";
            settings["SocketDaemon:Pipeline:0:OutputTemplate"] = outputTemplate;
        }

        return TestDaemon.StartAsync(settings);
    }
}
