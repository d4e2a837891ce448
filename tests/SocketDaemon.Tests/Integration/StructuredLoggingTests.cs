using System.Globalization;
using System.Net;
using System.Text.Json;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// Real syslog senders (util-linux <c>logger</c>, Python's <c>SysLogHandler</c>) against the daemon with a <c>Parse</c>
/// step and <c>Log</c> in JSON: every field of every line, every line through <c>jq</c>, and the counts in <c>/metrics</c>.
/// </summary>
public class StructuredLoggingTests
{
    internal static async Task<TestDaemon> StartAsync(string parseFormat = "auto", IDictionary<string, string?>? more = null)
    {
        var directory = Path.Combine("/tmp", "sdt-sl-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var settings = new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:dgram:Endpoint"] = "unixgram:" + Path.Combine(directory, "log.sock"),
            ["SocketDaemon:Listeners:udp:Endpoint"] = "udp://127.0.0.1:0",
            ["SocketDaemon:Pipeline:0:Handler"] = "Parse",
            ["SocketDaemon:Pipeline:0:Format"] = parseFormat,
            ["SocketDaemon:Pipeline:1:Handler"] = "Log",
            ["SocketDaemon:Pipeline:1:Format"] = "json",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return await TestDaemon.StartAsync(settings);
    }

    internal static string Port(TestDaemon daemon, string listener) =>
        ((IPEndPoint)daemon.Listeners[listener].Endpoint.EndPoint).Port.ToString(CultureInfo.InvariantCulture);

    internal static async Task<List<JsonElement>> WaitForJsonAsync(TestDaemon daemon, int count)
    {
        await Wait.UntilAsync(() => daemon.Log.Lines().Count >= count, $"{count} JSON lines in the log");
        var lines = daemon.Log.Lines();
        await AssertJqAcceptsAsync(daemon);
        return [.. lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    // jq reads every line of the files as it would in a shell pipeline: one compact object out per line in.
    private static async Task AssertJqAcceptsAsync(TestDaemon daemon)
    {
        foreach (var file in Directory.GetFiles(daemon.LogDirectory, "messages*.log"))
        {
            var (exitCode, output, error) = await ChildProcess.RunAsync("jq", ["-c", ".", file]);
            Assert.True(exitCode == 0, $"jq refused {file}: {error}");
            Assert.Equal(MessageLog.ReadShared(file).Count(c => c == '\n'), output.Count(c => c == '\n'));
        }
    }

    internal static async Task RunAsync(string program, params string[] arguments)
    {
        var (exitCode, _, error) = await ChildProcess.RunAsync(program, arguments);
        Assert.True(exitCode == 0, $"{program} failed: {error}");
    }

    private static JsonElement Single(List<JsonElement> lines, string message) =>
        Assert.Single(lines, l => l.TryGetProperty("message", out var m) && m.GetString() == message);

    internal static string? Get(JsonElement line, string name) => line.TryGetProperty(name, out var value) ? value.GetString() : null;

    [Fact]
    public async Task Logger_in_rfc5424_and_rfc3164_over_udp_tcp_and_unix_datagrams_arrives_field_by_field()
    {
        await using var daemon = await StartAsync();
        var socket = daemon.Listeners["dgram"].Endpoint.Path!;

        await RunAsync("logger", "-d", "-n", "127.0.0.1", "-P", Port(daemon, "udp"), "--rfc5424", "--sd-id", "zoo@123", "--sd-param", "tiger=\"hungry\"", "--sd-param", "zebra=\"running \\\"fast\\\"\"", "--msgid", "ID47", "-t", "myapp", "-p", "local3.warning", "udp 5424");
        await RunAsync("logger", "-T", "--octet-count", "-n", "127.0.0.1", "-P", Port(daemon, "tcp"), "--rfc5424", "-t", "tcpapp", "-p", "auth.err", "tcp octet 5424");
        await RunAsync("logger", "-d", "-n", "127.0.0.1", "-P", Port(daemon, "udp"), "--rfc3164", "-i", "-t", "oldapp", "-p", "mail.info", "udp 3164");
        await RunAsync("logger", "-u", socket, "-t", "localapp", "-p", "user.notice", "unix datagram");

        var lines = await WaitForJsonAsync(daemon, 4);

        var udp5424 = Single(lines, "udp 5424");
        Assert.Equal("local3", Get(udp5424, "facility"));
        Assert.Equal("warning", Get(udp5424, "severity"));
        Assert.Equal("myapp", Get(udp5424, "appname"));
        Assert.Equal("ID47", Get(udp5424, "msgid"));
        Assert.Equal(Environment.MachineName, Get(udp5424, "hostname"));
        Assert.True(DateTimeOffset.TryParse(Get(udp5424, "timestamp"), CultureInfo.InvariantCulture, out _));
        Assert.Equal("hungry", udp5424.GetProperty("sd").GetProperty("zoo@123").GetProperty("tiger").GetString());
        Assert.Equal("running \"fast\"", udp5424.GetProperty("sd").GetProperty("zoo@123").GetProperty("zebra").GetString());
        Assert.Equal("udp", Get(udp5424, "listener"));
        Assert.StartsWith("127.0.0.1:", udp5424.GetProperty("peer").GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(Get(udp5424, "received"), CultureInfo.InvariantCulture, out _));

        var tcp = Single(lines, "tcp octet 5424");
        Assert.Equal(("auth", "err", "tcpapp", "tcp"), (Get(tcp, "facility"), Get(tcp, "severity"), Get(tcp, "appname"), Get(tcp, "listener")));

        var udp3164 = Single(lines, "udp 3164");
        Assert.Equal(("mail", "info", "oldapp"), (Get(udp3164, "facility"), Get(udp3164, "severity"), Get(udp3164, "appname")));
        Assert.Matches("^[0-9]+$", Get(udp3164, "procid"));

        var local = Single(lines, "unix datagram");
        Assert.Equal(("user", "notice", "localapp", null), (Get(local, "facility"), Get(local, "severity"), Get(local, "appname"), Get(local, "hostname")));
        // logger has often exited before its /proc/PID/comm is read: comm is then absent, never another name.
        Assert.True(local.GetProperty("peer").GetProperty("pid").GetInt32() > 0);
        Assert.True(local.GetProperty("peer").TryGetProperty("uid", out _));
        Assert.Equal("logger", local.GetProperty("peer").TryGetProperty("comm", out var comm) ? comm.GetString() : "logger");

        var metrics = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Unix, "/metrics")).Body;
        Assert.Contains("socketdaemon_messages_parsed_total{listener=\"udp\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("socketdaemon_messages_parsed_total{listener=\"tcp\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("socketdaemon_messages_parsed_total{listener=\"dgram\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("socketdaemon_parse_errors_total{listener=\"udp\"} 0\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Python_syslog_handler_over_udp_unix_datagrams_and_tcp_arrives_without_its_nul()
    {
        await using var daemon = await StartAsync();
        var script = string.Join('\n',
            "import logging, logging.handlers, socket, sys",
            "udp = logging.handlers.SysLogHandler(address=('127.0.0.1', int(sys.argv[1])), facility='local1')",
            "unix = logging.handlers.SysLogHandler(address=sys.argv[2], facility='daemon')",
            "unix.ident = 'pyapp[42]: '",
            "tcp = logging.handlers.SysLogHandler(address=('127.0.0.1', int(sys.argv[3])), socktype=socket.SOCK_STREAM)",
            "for h, name in ((udp, 'udp'), (unix, 'unix'), (tcp, 'tcp')):",
            "    log = logging.getLogger(name); log.addHandler(h); log.propagate = False",
            "    log.warning('python over ' + name)",
            "    log.error('second over ' + name)",
            "    h.close()");
        await RunAsync("python3", "-c", script, Port(daemon, "udp"), daemon.Listeners["dgram"].Endpoint.Path!, Port(daemon, "tcp"));

        var lines = await WaitForJsonAsync(daemon, 6);

        var udp = Single(lines, "python over udp");
        Assert.Equal(("local1", "warning", "udp"), (Get(udp, "facility"), Get(udp, "severity"), Get(udp, "listener")));
        var unix = Single(lines, "second over unix");
        Assert.Equal(("daemon", "err", "pyapp", "42"), (Get(unix, "facility"), Get(unix, "severity"), Get(unix, "appname"), Get(unix, "procid")));

        // SOCK_STREAM ends each message with NUL and no newline: each is its own message.
        var tcp = Single(lines, "python over tcp");
        Assert.Equal(("user", "warning", "tcp"), (Get(tcp, "facility"), Get(tcp, "severity"), Get(tcp, "listener")));
        Single(lines, "second over tcp");
        Assert.DoesNotContain(lines, l => Get(l, "message")!.Contains('\0', StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_that_is_not_syslog_is_kept_whole_marked_and_counted()
    {
        await using var daemon = await StartAsync(parseFormat: "syslog");
        using var client = await RawClient.ConnectAsync(daemon.Tcp);

        await client.SendAsync("just words\n<13>Oct 11 22:14:15 host tag: syslog\n<999>bad pri\n");

        var lines = await WaitForJsonAsync(daemon, 3);
        Assert.Equal(["just words", "syslog", "<999>bad pri"], lines.Select(l => Get(l, "message")));
        Assert.Equal([true, false, true], lines.Select(l => l.TryGetProperty("parse_error", out var e) && e.GetBoolean()));
        var metrics = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Unix, "/metrics")).Body;
        Assert.Contains("socketdaemon_parse_errors_total{listener=\"tcp\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("socketdaemon_messages_parsed_total{listener=\"tcp\"} 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_octet_frame_ending_in_a_newline_is_logged_without_it()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var client = await RawClient.ConnectAsync(daemon.Tcp);

        // printf '6 hello\n' | nc: the count covers the newline, as rsyslog and syslog-ng send it.
        await client.SendAsync("6 hello\n7 world\r\n");

        Assert.Equal(["hello", "world"], await daemon.Log.WaitForAsync(2));
    }

    [Fact]
    public async Task Messages_are_routed_by_severity_facility_appname_and_hostname()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Parse",
            ["SocketDaemon:Pipeline:0:Format"] = "syslog",
            ["SocketDaemon:Pipeline:1:Handler"] = "Filter",
            ["SocketDaemon:Pipeline:1:Hostname"] = "NOISY.example",
            ["SocketDaemon:Pipeline:2:Handler"] = "Log",
            ["SocketDaemon:Pipeline:2:Severity"] = "warning",
            ["SocketDaemon:Pipeline:2:Path"] = "urgent.log",
            ["SocketDaemon:Pipeline:2:Final"] = "false",
            ["SocketDaemon:Pipeline:3:Handler"] = "Log",
            ["SocketDaemon:Pipeline:3:Facility"] = "auth, authpriv",
            ["SocketDaemon:Pipeline:3:Path"] = "auth.log",
            ["SocketDaemon:Pipeline:4:Handler"] = "Log",
            ["SocketDaemon:Pipeline:4:AppName"] = "cron",
            ["SocketDaemon:Pipeline:4:Path"] = "cron.log",
            ["SocketDaemon:Pipeline:5:Handler"] = "Log",
        });
        using var client = await RawClient.ConnectAsync(daemon.Tcp);

        await client.SendAsync(string.Join('\n',
            "<34>Oct 11 22:14:15 host sshd[1]: auth crit",        // auth.crit: urgent and auth
            "<86>Oct 11 22:14:15 host sudo: authpriv info",       // authpriv.info: auth
            "<78>Oct 11 22:14:15 host cron[2]: cron info",        // cron.info, app cron
            "<12>Oct 11 22:14:15 host app: user warning",         // user.warning: urgent, then messages
            "<15>Oct 11 22:14:15 host app: user debug",           // messages
            "<11>Oct 11 22:14:15 noisy.example app: dropped",     // filtered out by host name
            "no PRI no severity",                                 // not syslog: no severity, messages
            string.Empty));

        await daemon.Log.WaitForAsync(3);
        Assert.Equal(["<12>Oct 11 22:14:15 host app: user warning", "<15>Oct 11 22:14:15 host app: user debug", "no PRI no severity"], daemon.Log.Texts());
        Assert.Equal(["<34>Oct 11 22:14:15 host sshd[1]: auth crit", "<12>Oct 11 22:14:15 host app: user warning"], await FileTextsAsync(daemon, "urgent*.log", 2));
        Assert.Equal(["<34>Oct 11 22:14:15 host sshd[1]: auth crit", "<86>Oct 11 22:14:15 host sudo: authpriv info"], await FileTextsAsync(daemon, "auth*.log", 2));
        Assert.Equal(["<78>Oct 11 22:14:15 host cron[2]: cron info"], await FileTextsAsync(daemon, "cron*.log", 1));
    }

    // A log file other than messages*.log, once it holds count lines.
    private static async Task<IReadOnlyList<string>> FileTextsAsync(TestDaemon daemon, string pattern, int count)
    {
        IReadOnlyList<string> texts = [];
        await Wait.UntilAsync(
            () => (texts = [.. Directory.GetFiles(daemon.LogDirectory, pattern).SelectMany(f => MessageLog.ReadShared(f).Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(MessageLog.TextOf)]).Count >= count,
            $"{count} lines in {pattern}");
        return texts;
    }

    [Fact]
    public async Task A_log_step_with_an_output_template_can_show_the_parsed_fields()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Parse",
            ["SocketDaemon:Pipeline:1:Handler"] = "Log",
            ["SocketDaemon:Pipeline:1:OutputTemplate"] = "{Severity}.{Facility} {AppName}[{ProcId}] {SyslogMessage}{NewLine}",
        });
        using var client = await RawClient.ConnectAsync(daemon.Tcp);

        await client.SendAsync("<36>Dec  3 06:03:08 myapp[9]: templated\n");

        await Wait.UntilAsync(() => daemon.Log.Lines().Count >= 1, "the templated line");
        Assert.Equal(["warning.auth myapp[9] templated"], daemon.Log.Lines());
    }

    [Theory]
    [InlineData("Severity", "loud")]
    [InlineData("Facility", "user, nobody")]
    [InlineData("Format", "xml")]
    public async Task A_bad_severity_or_facility_stops_start_up_naming_the_key(string key, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Log",
            [$"SocketDaemon:Pipeline:0:{key}"] = value,
        }));

        Assert.Contains(key, error.ToString(), StringComparison.Ordinal);
    }
}
