using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Client;
using SocketDaemon.Client.Status;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// Edge → relay: a Forward step sends what the edge receives to other daemons over the native protocol, and the
/// relay logs each message once, with where it came from.
/// </summary>
public class ForwardTests
{
    // The relay's line shows the origin where the default line shows the relay's own listener and peer.
    private const string OriginTemplate = "{OriginHost} {OriginListener} [{OriginPeer}] #{ConnectionId}: {Text:l}{NewLine}";

    [Fact]
    public async Task With_downstream_acknowledgement_a_message_is_in_the_relay_log_once_with_its_origin_when_the_edge_acknowledges_it()
    {
        await using var relay = await TestDaemon.StartAsync(LogSteps(OriginTemplate));
        await using var edge = await TestDaemon.StartAsync(ForwardStep([relay.Unix.ToString()]));
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 100 });

        await client.SendManyAsync(Messages("edge", 2000));

        // No waiting: the edge acknowledged only after the relay did, so the relay's log holds them already.
        Assert.Equal(Messages("edge", 2000), relay.Log.Texts());
        Assert.Empty(edge.Log.Texts());
        var line = relay.Log.Lines()[0];
        Assert.StartsWith($"{Environment.MachineName} unix [pid={Environment.ProcessId} ", line);
    }

    [Fact]
    public async Task The_relay_killed_and_restarted_mid_run_loses_nothing_and_duplicates_nothing()
    {
        using var relayDirectory = new TempDirectory();
        var relay = await DaemonProcess.StartAsync(relayDirectory);
        try
        {
            await using var edge = await TestDaemon.StartAsync(ForwardStep([relay.Endpoint], acknowledge: "local"));
            await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 50 });

            await client.SendManyAsync(Messages("before", 300));

            // Killed once the edge has its acknowledgements; a kill while the relay writes is the next test's.
            var spool = Path.Combine(edge.LogDirectory, "state", "spool", "forward");
            await Wait.UntilAsync(() => Directory.GetFiles(spool, "*.spool").Length == 0, "the edge's spool to be acknowledged");
            await KillAsync(relay);

            // The edge goes on taking messages while its upstream is gone: they wait in its spool.
            await client.SendManyAsync(Messages("during", 300));
            relay = await DaemonProcess.StartAsync(relayDirectory);
            await client.SendManyAsync(Messages("after", 300));

            var texts = await relay.Log.WaitForAsync(900);
            Assert.Equal([.. Messages("before", 300), .. Messages("during", 300), .. Messages("after", 300)], texts);
        }
        finally
        {
            await relay.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_relay_killed_twice_while_it_writes_logs_every_message_exactly_once()
    {
        using var relayDirectory = new TempDirectory();
        string[] fsync = ["--SocketDaemon:Durability", "fsync"];
        var relay = await DaemonProcess.StartAsync(relayDirectory, fsync);
        try
        {
            // Large batches of long lines: each takes the relay several writes and an fsync, the window a kill must hit.
            var settings = ForwardStep([relay.Endpoint], acknowledge: "local");
            settings["SocketDaemon:Pipeline:0:BatchSize"] = "2000";
            await using var edge = await TestDaemon.StartAsync(settings);
            await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 1000 });
            var padding = new string('x', 200);
            var messages = Messages("kill", 20000).Select(m => $"{m} {padding}").ToList();

            // The relay is held stopped while the edge takes every message (it acknowledges them once logged locally):
            // on a loaded machine a running relay could otherwise have logged them all before the first kill.
            relay.Process.Signal(ChildProcess.SIGSTOP);
            try
            {
                await client.SendManyAsync(messages);
            }
            finally
            {
                relay.Process.Signal(ChildProcess.SIGCONT);
            }

            var forward = edge.Host.Services.GetRequiredService<ForwardHandlers>().Running[0];
            var random = new Random(9);
            var kills = 0;
            while (kills < 2)
            {
                // The moment the log grows the relay is writing a batch it has not acknowledged yet.
                var before = LogBytes(relay);
                var deadline = DateTime.UtcNow + Wait.Timeout;
                while (LogBytes(relay) == before && forward.GetStatus().Pending > 0)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the relay did not write");
                    await Task.Delay(1);
                }

                if (LogBytes(relay) == before)
                {
                    // Everything arrived before the next kill.
                    break;
                }

                await Task.Delay(random.Next(3));
                await KillAsync(relay);
                kills++;
                relay = await DaemonProcess.StartAsync(relayDirectory, fsync);
            }

            Assert.True(kills > 0, "the relay wrote everything before it could be killed");
            await relay.Log.WaitForAsync(messages.Count);
            await Task.Delay(200);
            Assert.Equal(messages, relay.Log.Texts());
        }
        finally
        {
            await relay.DisposeAsync();
        }
    }

    private static long LogBytes(DaemonProcess daemon) =>
        Directory.Exists(daemon.Log.Directory) ? Directory.GetFiles(daemon.Log.Directory, "messages*.log").Sum(f => new FileInfo(f).Length) : 0;

    [Fact]
    public async Task Failover_sends_to_the_second_upstream_while_the_first_is_down_and_to_the_first_once_it_is_back()
    {
        using var directory = new TempDirectory();
        var primaryPath = directory.Combine("primary.sock");
        await using var secondary = await TestDaemon.StartAsync();
        await using var edge = await TestDaemon.StartAsync(ForwardStep(["unix:" + primaryPath, secondary.Unix.ToString()]));
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 10 });

        await client.SendManyAsync(Messages("primary down", 100));
        Assert.Equal(Messages("primary down", 100), secondary.Log.Texts());

        await using var primary = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:unix:Endpoint"] = "unix:" + primaryPath });
        // The edge tries the primary again at its next reconnect; until then the secondary takes the probes.
        var deadline = DateTime.UtcNow + Wait.Timeout;
        while (!primary.Log.Texts().Contains("probe"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the edge did not go back to the primary");
            await client.SendAsync("probe");
            await Task.Delay(50);
        }

        var before = secondary.Log.Texts().Count;
        await client.SendManyAsync(Messages("primary up", 100));

        Assert.Equal(Messages("primary up", 100), primary.Log.Texts().Where(t => t != "probe"));
        Assert.Equal(before, secondary.Log.Texts().Count);
    }

    [Fact]
    public async Task Round_robin_spreads_batches_over_both_upstreams_and_logs_each_message_once_in_one_of_them()
    {
        await using var first = await TestDaemon.StartAsync();
        await using var second = await TestDaemon.StartAsync();
        var settings = ForwardStep([first.Unix.ToString(), second.Tcp.ToString()]);
        settings["SocketDaemon:Pipeline:0:Balance"] = "roundrobin";
        settings["SocketDaemon:Pipeline:0:BatchSize"] = "10";
        await using var edge = await TestDaemon.StartAsync(settings);
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 100 });

        await client.SendManyAsync(Messages("spread", 2000));

        var firstTexts = first.Log.Texts();
        var secondTexts = second.Log.Texts();
        Assert.NotEmpty(firstTexts);
        Assert.NotEmpty(secondTexts);
        Assert.Equal(Messages("spread", 2000).Order(StringComparer.Ordinal), firstTexts.Concat(secondTexts).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_client_spool_delivers_every_accepted_message_once_across_a_daemon_kill_and_restart()
    {
        using var daemonDirectory = new TempDirectory();
        using var spool = new TempDirectory();
        var daemon = await DaemonProcess.StartAsync(daemonDirectory);
        try
        {
            await using var client = await SocketDaemonClient.ConnectAsync(daemon.Endpoint, new SocketDaemonClientOptions { Spool = spool.Path, BatchMessages = 50 });

            await client.SendManyAsync(Messages("before", 300));
            await client.WaitUntilDeliveredAsync().WaitAsync(Wait.Timeout);
            await KillAsync(daemon);

            // Accepted while the daemon is gone: the sends complete, the messages wait in the spool.
            await client.SendManyAsync(Messages("during", 300));
            daemon = await DaemonProcess.StartAsync(daemonDirectory);
            await client.SendManyAsync(Messages("after", 300));
            await client.WaitUntilDeliveredAsync().WaitAsync(Wait.Timeout);

            Assert.Equal([.. Messages("before", 300), .. Messages("during", 300), .. Messages("after", 300)], daemon.Log.Texts());
        }
        finally
        {
            await daemon.DisposeAsync();
        }
    }

    private static async Task KillAsync(DaemonProcess daemon)
    {
        daemon.Process.Signal(9);
        await daemon.Process.WaitForExitAsync();
        await daemon.DisposeAsync();
    }

    [Fact]
    public async Task Status_and_metrics_count_what_a_Forward_step_spooled_forwarded_and_holds_and_whether_its_upstream_is_up()
    {
        using var directory = new TempDirectory();
        var upstreamPath = directory.Combine("relay.sock");
        await using var edge = await TestDaemon.StartAsync(ForwardStep(["unix:" + upstreamPath], acknowledge: "local"));
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix, new SocketDaemonClientOptions { BatchMessages = 10 });

        // No relay yet: the messages wait in the spool.
        await client.SendManyAsync(Messages("waiting", 20));
        var waiting = Assert.Single((await StatusAsync(edge)).Forwards);
        Assert.Equal((20, 0, 20, 0), (waiting.Spooled, waiting.Forwarded, waiting.Pending, waiting.UpstreamsConnected));
        Assert.Equal(["unix:" + upstreamPath], waiting.Upstreams);
        Assert.True(waiting.SpoolBytes > 20 * "waiting 0".Length, $"the spool holds {waiting.SpoolBytes} bytes");
        var (_, _, waitingMetrics) = HttpExchange.Parse(await HttpExchange.GetAsync(edge.Unix, "/metrics"));
        Assert.Contains($"socketdaemon_forward_spool_bytes{{spool=\"{waiting.Spool}\"}} {waiting.SpoolBytes}\n", waitingMetrics, StringComparison.Ordinal);

        await using var relay = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:unix:Endpoint"] = "unix:" + upstreamPath });
        await relay.Log.WaitForAsync(20);
        ForwardStatus forwarded;
        var deadline = DateTime.UtcNow + Wait.Timeout;
        while ((forwarded = (await StatusAsync(edge)).Forwards[0]) is not { Forwarded: 20, Pending: 0, UpstreamsConnected: 1 })
        {
            Assert.True(DateTime.UtcNow < deadline, $"the edge's counters stayed at {JsonSerializer.Serialize(forwarded, StatusJsonContext.Default.ForwardStatus)}");
            await Task.Delay(50);
        }

        Assert.Equal(20, forwarded.Spooled);
        var (_, _, metrics) = HttpExchange.Parse(await HttpExchange.GetAsync(edge.Unix, "/metrics"));
        Assert.Contains($"socketdaemon_forward_forwarded_total{{spool=\"{forwarded.Spool}\"}} 20\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"socketdaemon_forward_upstreams_connected{{spool=\"{forwarded.Spool}\"}} 1\n", metrics, StringComparison.Ordinal);
    }

    private static async Task<DaemonStatus> StatusAsync(TestDaemon daemon)
    {
        var (status, _, body) = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Unix, "/status"));
        Assert.Equal(200, status);
        return JsonSerializer.Deserialize(body, StatusJsonContext.Default.DaemonStatus)!;
    }

    private static IEnumerable<string> Messages(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix} {i}");

    private static Dictionary<string, string?> LogSteps(string template) => new()
    {
        ["SocketDaemon:Pipeline:0:Handler"] = "Log",
        ["SocketDaemon:Pipeline:0:OutputTemplate"] = template,
    };

    private static Dictionary<string, string?> ForwardStep(IReadOnlyList<string> upstreams, string acknowledge = "downstream")
    {
        var settings = new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Forward",
            ["SocketDaemon:Pipeline:0:Acknowledge"] = acknowledge,
        };
        for (var i = 0; i < upstreams.Count; i++)
        {
            settings[$"SocketDaemon:Pipeline:0:Upstreams:{i}"] = upstreams[i];
        }

        return settings;
    }
}
