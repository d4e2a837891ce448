using System.Globalization;
using System.Text.Json;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Tests.SyslogOutput;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// rsyslog and syslog-ng as senders, relaying what <c>logger</c> gave them to a daemon with <c>Parse auto</c> and
/// <c>Log json</c>: every field of every line, the counts, and the parse counters in <c>/metrics</c>, for each framing
/// and transport they forward with.
/// </summary>
public class SyslogSenderTests
{
    private const int Count = 20;

    private static readonly string Host = Environment.MachineName;

    // What logger hands the sender: RFC 5424 with a MSGID, structured data and a PROCID, text with a quote and UTF-8.
    private static readonly string[] Messages = [.. Enumerable.Range(0, Count).Select(i => $"message {i} \"quoted\" ü back\\slash")];

    [CollectorFact("rsyslog")]
    public async Task Rsyslog_forwarding_octet_counted_lf_framed_and_over_udp_arrives_field_by_field()
    {
        await using var daemon = await StartAsync("octet", "lf", "udp");
        await using var rsyslog = await SyslogSender.StartRsyslogAsync(
            $"port=\"{Port(daemon, "octet")}\" protocol=\"tcp\" TCP_Framing=\"octet-counted\" template=\"RSYSLOG_SyslogProtocol23Format\"",
            $"port=\"{Port(daemon, "lf")}\" protocol=\"tcp\"",
            $"port=\"{Port(daemon, "udp")}\" protocol=\"udp\"");

        var (before, after) = await SendAsync("-T", "--octet-count", "-n", "127.0.0.1", "-P", rsyslog.Input);

        var lines = await StructuredLoggingTests.WaitForJsonAsync(daemon, 3 * Count);
        Assert.Equal(3 * Count, lines.Count);
        // RSYSLOG_SyslogProtocol23Format: RFC 5424 with what logger sent, and the frame's trailing LF is not message.
        var octet = Of(lines, "octet", ordered: true);
        AssertFields(octet, before, after, rfc5424: true);
        Assert.All(octet, l => Assert.Equal("hungry", l.GetProperty("sd").GetProperty("zoo@123").GetProperty("tiger").GetString()));
        Assert.All(octet, l => Assert.Equal("1", l.GetProperty("sd").GetProperty("timeQuality").GetProperty("tzKnown").GetString()));
        // The default forward template, RSYSLOG_TraditionalForwardFormat: "<PRI>Mmm dd hh:mm:ss HOST myapp[4242] text".
        AssertFields(Of(lines, "lf", ordered: true), before, after, rfc5424: false);
        AssertFields(Of(lines, "udp", ordered: false), before, after, rfc5424: false);
        await AssertParsedAsync(daemon, "octet", "lf", "udp");
    }

    [CollectorFact("syslog-ng")]
    public async Task Syslog_ng_syslog_and_network_destinations_over_tcp_and_udp_arrive_field_by_field()
    {
        await using var daemon = await StartAsync("syslog_tcp", "network_tcp", "syslog_udp", "network_udp");
        await using var syslogNg = await SyslogSender.StartSyslogNgAsync(
            $"syslog(\"127.0.0.1\" port({Port(daemon, "syslog_tcp")}) transport(\"tcp\"))",
            $"network(\"127.0.0.1\" port({Port(daemon, "network_tcp")}) transport(\"tcp\"))",
            $"syslog(\"127.0.0.1\" port({Port(daemon, "syslog_udp")}) transport(\"udp\"))",
            $"network(\"127.0.0.1\" port({Port(daemon, "network_udp")}) transport(\"udp\"))");

        var (before, after) = await SendAsync("-d", "-u", syslogNg.Input);

        var lines = await StructuredLoggingTests.WaitForJsonAsync(daemon, 4 * Count);
        Assert.Equal(4 * Count, lines.Count);
        // syslog(): RFC 5424, octet-counted over TCP, with its own [meta sequenceId] after what logger sent.
        foreach (var (listener, ordered) in new[] { ("syslog_tcp", true), ("syslog_udp", false) })
        {
            var received = Of(lines, listener, ordered);
            AssertFields(received, before, after, rfc5424: true);
            Assert.All(received, l => Assert.Equal("hungry", l.GetProperty("sd").GetProperty("zoo@123").GetProperty("tiger").GetString()));
            Assert.Equal(
                Enumerable.Range(1, Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order(),
                received.Select(l => l.GetProperty("sd").GetProperty("meta").GetProperty("sequenceId").GetString()).Order());
        }

        // network(): RFC 3164, "<PRI>Mmm dd hh:mm:ss HOST myapp[4242]: text", LF-framed over TCP.
        AssertFields(Of(lines, "network_tcp", ordered: true), before, after, rfc5424: false);
        AssertFields(Of(lines, "network_udp", ordered: false), before, after, rfc5424: false);
        await AssertParsedAsync(daemon, "syslog_tcp", "network_tcp", "syslog_udp", "network_udp");
    }

    private static Task<TestDaemon> StartAsync(params string[] listeners) =>
        StructuredLoggingTests.StartAsync("auto", listeners.ToDictionary(
            l => $"SocketDaemon:Listeners:{l}:Endpoint",
            l => (string?)(l.EndsWith("udp", StringComparison.Ordinal) ? "udp://127.0.0.1:0" : "tcp://127.0.0.1:0")));

    private static string Port(TestDaemon daemon, string listener) => StructuredLoggingTests.Port(daemon, listener);

    // logger sends one message per line of its input; the times around it bound every timestamp the sender forwards.
    private static async Task<(DateTimeOffset Before, DateTimeOffset After)> SendAsync(params string[] target)
    {
        var before = DateTimeOffset.UtcNow;
        string[] arguments = [.. target, "--rfc5424", "--sd-id", "zoo@123", "--sd-param", "tiger=\"hungry\"", "--msgid", "ID47", "-t", "myapp", "--id=4242", "-p", "local3.warning"];
        var (exitCode, _, error) = await ChildProcess.RunAsync("logger", arguments, standardInput: string.Join('\n', Messages) + "\n");
        Assert.True(exitCode == 0, $"logger failed: {error}");
        return (before, DateTimeOffset.UtcNow);
    }

    // The lines of one listener: exactly one per message sent, in the order sent over a stream.
    private static List<JsonElement> Of(List<JsonElement> lines, string listener, bool ordered)
    {
        var received = lines.Where(l => StructuredLoggingTests.Get(l, "listener") == listener).ToList();
        var texts = received.Select(l => StructuredLoggingTests.Get(l, "message")).ToList();
        IEnumerable<string?> expected = ordered ? Messages : Messages.Order(StringComparer.Ordinal);
        Assert.Equal(expected, ordered ? texts : texts.Order(StringComparer.Ordinal));
        return received;
    }

    private static void AssertFields(List<JsonElement> lines, DateTimeOffset before, DateTimeOffset after, bool rfc5424)
    {
        foreach (var line in lines)
        {
            string? Get(string name) => StructuredLoggingTests.Get(line, name);
            Assert.Equal(("local3", "warning", Host, "myapp", "4242"), (Get("facility"), Get("severity"), Get("hostname"), Get("appname"), Get("procid")));
            Assert.Equal(rfc5424 ? "ID47" : null, Get("msgid"));
            Assert.Equal(rfc5424, line.TryGetProperty("sd", out _));
            Assert.Null(Get("parse_error"));

            // One RFC 3339 form: BSD timestamps get the year and the local offset, both within the second they were sent.
            var timestamp = Get("timestamp")!;
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d$", timestamp);
            var instant = DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture);
            Assert.InRange(instant, before.AddSeconds(-1), after.AddSeconds(1));
        }
    }

    private static async Task AssertParsedAsync(TestDaemon daemon, params string[] listeners)
    {
        var metrics = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Unix, "/metrics")).Body;
        foreach (var listener in listeners)
        {
            Assert.Contains($"socketdaemon_messages_parsed_total{{listener=\"{listener}\"}} {Count}\n", metrics, StringComparison.Ordinal);
            Assert.Contains($"socketdaemon_parse_errors_total{{listener=\"{listener}\"}} 0\n", metrics, StringComparison.Ordinal);
        }
    }
}
