using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Cli;
using SocketDaemon.Client;
using SocketDaemon.SyslogOutput;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.SyslogOutput;

/// <summary>
/// The Syslog output against real collectors (rsyslog, syslog-ng on 127.0.0.1): every field arrives as sent, in
/// order, exactly once, over each framing and transport, and across a collector restart.
/// </summary>
public class SyslogCollectorTests
{
    // The test process is the peer on the unix socket: its comm and pid become APP-NAME and PROCID.
    private static readonly string Comm = File.ReadAllText("/proc/self/comm").Trim();

    [CollectorFact("rsyslog")]
    public Task Rsyslog_imtcp_with_octet_counting_gets_every_message_with_its_fields_in_order() =>
        SendsEveryFieldAsync(() => SyslogCollector.StartRsyslogAsync("imtcp"), "tcp", "octet", "rfc5424");

    [CollectorFact("rsyslog")]
    public Task Rsyslog_imtcp_with_lf_framing_gets_every_message_with_its_fields_in_order() =>
        SendsEveryFieldAsync(() => SyslogCollector.StartRsyslogAsync("imtcp"), "tcp", "lf", "rfc5424");

    [CollectorFact("rsyslog")]
    public Task Rsyslog_imptcp_takes_rfc3164_with_its_tag_and_pid() =>
        SendsEveryFieldAsync(() => SyslogCollector.StartRsyslogAsync("imptcp"), "tcp", "lf", "rfc3164");

    [CollectorFact("syslog-ng")]
    public Task Syslog_ng_syslog_source_with_octet_counting_gets_every_message_with_its_fields_in_order() =>
        SendsEveryFieldAsync(() => SyslogCollector.StartSyslogNgAsync("syslog"), "tcp", "octet", "rfc5424");

    [CollectorFact("syslog-ng")]
    public Task Syslog_ng_network_source_with_lf_framing_gets_every_message_with_its_fields_in_order() =>
        SendsEveryFieldAsync(() => SyslogCollector.StartSyslogNgAsync("network"), "tcp", "lf", "rfc5424");

    [CollectorFact("rsyslog")]
    public async Task A_parsed_message_keeps_each_of_its_fields_at_the_collector()
    {
        await using var collector = await SyslogCollector.StartRsyslogAsync("imtcp");
        var settings = new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Parse",
            ["SocketDaemon:Pipeline:0:Format"] = "syslog",
        };
        foreach (var (key, value) in SyslogStep($"tcp://127.0.0.1:{collector.Port}", "octet", "rfc5424"))
        {
            settings[key.Replace(":Pipeline:0:", ":Pipeline:1:", StringComparison.Ordinal)] = value;
        }

        await using var daemon = await TestDaemon.StartAsync(settings);
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix);
        const string Sd = "[exampleSDID@32473 iut=\"3\" eventSource=\"Ap\\\"p\\]lication\"][origin ip=\"192.0.2.1\"]";
        var messages = Enumerable.Range(0, 200).Select(i => i % 2 == 0
            ? $"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog {i} ID47 {Sd} An application event {i}"
            : $"<34>Oct  1 22:14:15 mymachine su[{i}]: 'su root' failed {i}").ToList();

        await client.SendManyAsync(messages);

        var lines = await collector.WaitForAsync(messages.Count);
        Assert.Equal(messages.Count, lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var fields = lines[i].Split('|', 8);
            if (i % 2 == 0)
            {
                Assert.Equal(["165", "2003-10-11T22:14:15.003Z", "mymachine.example.com", "evntslog", $"{i}", "ID47", Sd, $"An application event {i}"], fields);
            }
            else
            {
                // A 3164 timestamp has no year or zone: RFC 5424 output carries the receive time instead.
                Assert.Equal(["34", "mymachine", "su", $"{i}", "-", "-", $"'su root' failed {i}"], fields.Where((_, f) => f != 1));
            }
        }
    }

    [CollectorFact("syslog-ng")]
    public async Task Tls_to_syslog_ng_shows_the_client_certificate_the_collector_requires()
    {
        using var certificates = new TestCertificates();
        await using var collector = await SyslogCollector.StartSyslogNgTlsAsync(certificates);
        var settings = SyslogStep($"tls://127.0.0.1:{collector.Port}", "octet", "rfc5424");
        settings["SocketDaemon:Pipeline:0:TlsCaFile"] = certificates.CaFile;
        settings["SocketDaemon:Pipeline:0:TlsCertificateFile"] = certificates.ClientFile;
        await using var daemon = await TestDaemon.StartAsync(settings);
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix);

        await client.SendManyAsync(Messages("tls", 50));

        var lines = await collector.WaitForAsync(50);
        Assert.Equal(Messages("tls", 50), lines.Select(l => l.Split('|')[7]));

        // peer-verify(required-trusted): no message arrives without the client certificate; syslog-ng names it on the
        // first message of the connection.
        Assert.EndsWith("|test-client", lines[0], StringComparison.Ordinal);
    }

    [CollectorFact("rsyslog")]
    public async Task With_Final_false_a_message_goes_to_the_collector_and_on_to_the_log()
    {
        await using var collector = await SyslogCollector.StartRsyslogAsync("imtcp");
        var settings = SyslogStep($"tcp://127.0.0.1:{collector.Port}", "octet", "rfc5424");
        settings["SocketDaemon:Pipeline:0:Match"] = "^copy";
        settings["SocketDaemon:Pipeline:0:Final"] = "false";
        settings["SocketDaemon:Pipeline:1:Handler"] = "Log";
        await using var daemon = await TestDaemon.StartAsync(settings);
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix);

        await client.SendManyAsync(["copy 1", "local only", "copy 2"]);

        Assert.Equal(["copy 1", "local only", "copy 2"], daemon.Log.Texts());
        var lines = await collector.WaitForAsync(2);
        Assert.Equal(["copy 1", "copy 2"], lines.Select(l => l.Split('|')[7]));
    }

    [CollectorFact("rsyslog")]
    public async Task A_collector_restarted_mid_stream_gets_every_message_once_from_the_spool()
    {
        await using var collector = await SyslogCollector.StartRsyslogAsync("imtcp");
        await using var daemon = await TestDaemon.StartAsync(SyslogStep($"tcp://127.0.0.1:{collector.Port}", "octet", "rfc5424", acknowledge: "local"));
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { BatchMessages = 50 });

        await client.SendManyAsync(Messages("before", 300));
        await collector.WaitForAsync(300);
        await collector.StopAsync();

        // The collector is down: the daemon takes messages into its spool and keeps reconnecting.
        await client.SendManyAsync(Messages("during", 300));
        var handler = daemon.Host.Services.GetRequiredService<SyslogOutputs>().Running[0];
        Assert.Equal(300, handler.GetStatus().Pending);
        await collector.StartAsync();
        await client.SendManyAsync(Messages("after", 300));

        var lines = await collector.WaitForAsync(900);
        await Wait.UntilAsync(() => handler.GetStatus().Pending == 0, "the spool to drain");
        Assert.Equal([.. Messages("before", 300), .. Messages("during", 300), .. Messages("after", 300)], collector.Lines().Select(l => l.Split('|')[7]));
        Assert.Equal(900, lines.Count);
    }

    [CollectorFact("rsyslog")]
    public async Task Udp_cuts_a_message_longer_than_MaxDatagramBytes_and_counts_it()
    {
        await using var collector = await SyslogCollector.StartRsyslogAsync("imudp");
        var settings = SyslogStep($"udp://127.0.0.1:{collector.Port}", "octet", "rfc5424");
        settings["SocketDaemon:Pipeline:0:MaxDatagramBytes"] = "600";
        await using var daemon = await TestDaemon.StartAsync(settings);
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix);

        var longText = new string('x', 1000);
        await client.SendManyAsync(["short 1", longText, "short 2"]);

        var lines = await collector.WaitForAsync(3);
        var texts = lines.Select(l => l.Split('|')[7]).ToList();
        Assert.Equal("short 1", texts[0]);
        Assert.StartsWith("xxxx", texts[1], StringComparison.Ordinal);
        Assert.True(texts[1].Length < 600, $"the cut message has {texts[1].Length} characters");
        Assert.Equal("short 2", texts[2]);
        var handler = daemon.Host.Services.GetRequiredService<SyslogOutputs>().Running[0];
        Assert.Equal(1, handler.Truncated);
    }

    private static async Task SendsEveryFieldAsync(Func<Task<SyslogCollector>> start, string transport, string framing, string format)
    {
        await using var collector = await start();
        await using var daemon = await TestDaemon.StartAsync(SyslogStep($"{transport}://127.0.0.1:{collector.Port}", framing, format));
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { BatchMessages = 100 });

        // With downstream acknowledgement the client hears back once the collector's connection took each batch.
        var messages = Messages("msg", 500).Append("with | bar and \"quotes\" ]").ToList();
        await client.SendManyAsync(messages);

        var lines = await collector.WaitForAsync(messages.Count);
        Assert.Equal(messages.Count, lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var fields = lines[i].Split('|', 8);

            // user.notice by default: PRI 13.
            Assert.Equal("13", fields[0]);
            Assert.Equal(Environment.MachineName, fields[2]);
            Assert.Equal(Comm, fields[3]);
            Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[4]);
            Assert.Equal(messages[i], fields[7].TrimStart());
        }

        var status = daemon.Host.Services.GetRequiredService<SyslogOutputs>().Running[0].GetStatus();
        Assert.Equal(messages.Count, status.Forwarded);
        Assert.Equal(0, status.Pending);

        // socketctl status and /metrics show the step.
        var table = new StringWriter();
        Assert.Equal(0, await SocketCtl.CreateRootCommand(TextReader.Null).Parse(["status", "-e", daemon.Unix.ToString()]).InvokeAsync(new() { Output = table }));
        Assert.Contains($"syslog {status.Spool}: sent {messages.Count}, spooled {messages.Count}, pending 0, 1/1 connected (syslog+{transport}://127.0.0.1:{collector.Port})", table.ToString(), StringComparison.Ordinal);
        var metrics = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/metrics")).Body;
        Assert.Contains($"socketdaemon_output_spooled_total{{output=\"syslog\",name=\"{status.Spool}\"}} {messages.Count}", metrics, StringComparison.Ordinal);
        Assert.Contains($"socketdaemon_forward_forwarded_total{{spool=\"{status.Spool}\"}} {messages.Count}", metrics, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Messages(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix} {i}");

    internal static Dictionary<string, string?> SyslogStep(string upstream, string framing, string format, string acknowledge = "downstream") => new()
    {
        ["SocketDaemon:Pipeline:0:Handler"] = "Syslog",
        ["SocketDaemon:Pipeline:0:Upstreams:0"] = upstream,
        ["SocketDaemon:Pipeline:0:Framing"] = framing,
        ["SocketDaemon:Pipeline:0:Format"] = format,
        ["SocketDaemon:Pipeline:0:Acknowledge"] = acknowledge,
    };
}
