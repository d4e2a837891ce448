using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Hosting;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// A Log step whose Path names message properties (<c>apps/{AppName}.log</c>), on the real host with real senders:
/// each message in its own file, hostile values kept inside the log directory, a bounded number of open files, and
/// acknowledgements only once the file has the line.
/// </summary>
public class FilesByFieldTests
{
    private static Task<TestDaemon> StartAsync(string path = "apps/{AppName}.log", string format = "text", IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Parse",
            ["SocketDaemon:Pipeline:0:Format"] = "auto",
            ["SocketDaemon:Pipeline:1:Handler"] = "Log",
            ["SocketDaemon:Pipeline:1:Path"] = path,
            ["SocketDaemon:Pipeline:1:Format"] = format,
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestDaemon.StartAsync(settings);
    }

    // Every complete line of the files of one app (dated or stable names), oldest file first.
    private static List<string> LinesOf(TestDaemon daemon, string directory, string name)
    {
        var path = Path.Combine(daemon.LogDirectory, directory);
        if (!Directory.Exists(path))
        {
            return [];
        }

        var lines = new List<string>();
        foreach (var file in Directory.GetFiles(path, name + "*.log").Where(f => IsFileOf(f, name)).Order(StringComparer.Ordinal))
        {
            var content = MessageLog.ReadShared(file);
            var complete = content.LastIndexOf('\n');
            if (complete >= 0)
            {
                lines.AddRange(content[..complete].Split('\n'));
            }
        }

        return lines;
    }

    // apps/alpha20261203.log, apps/alpha.log, apps/alpha-20261203_001.log: not apps/alphabet.log.
    private static bool IsFileOf(string file, string name)
    {
        var rest = Path.GetFileNameWithoutExtension(file)[name.Length..];
        return rest.Length == 0 || char.IsAsciiDigit(rest[0]) || rest[0] == '-';
    }

    private static List<string> TextsOf(TestDaemon daemon, string directory, string name) =>
        [.. LinesOf(daemon, directory, name).Select(MessageLog.TextOf)];

    private static string Port(TestDaemon daemon, string listener) =>
        ((IPEndPoint)daemon.Listeners[listener].Endpoint.EndPoint).Port.ToString(CultureInfo.InvariantCulture);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var (exitCode, _, error) = await ChildProcess.RunAsync(program, arguments);
        Assert.True(exitCode == 0, $"{program} failed: {error}");
    }

    private static string Rfc5424(string appName, string text, string hostname = "host") => $"<13>1 2026-12-03T08:00:00Z {hostname} {appName} - - - {text}";

    // The files under the log directory this process holds open now, from /proc/self/fd.
    private static List<string> OpenFilesUnder(string directory) =>
        [.. Directory.GetFiles("/proc/self/fd")
            .Select(fd => { try { return new FileInfo(fd).LinkTarget; } catch (IOException) { return null; } })
            .OfType<string>()
            .Where(t => t.StartsWith(directory + "/", StringComparison.Ordinal))];

    [Fact]
    public async Task Logger_and_raw_rfc5424_lines_with_different_app_names_land_in_different_files()
    {
        await using var daemon = await StartAsync();

        await RunAsync("logger", "-T", "--octet-count", "-n", "127.0.0.1", "-P", Port(daemon, "tcp"), "--rfc5424", "-t", "alpha", "from logger");
        using (var client = await RawClient.ConnectAsync(daemon.Tcp))
        {
            await client.SendAsync(Rfc5424("alpha", "raw one") + "\n" + Rfc5424("gamma", "raw two") + "\n" + Rfc5424("alpha", "raw three") + "\n");
        }

        await Wait.UntilAsync(() => TextsOf(daemon, "apps", "alpha").Count == 3 && TextsOf(daemon, "apps", "gamma").Count == 1, "alpha and gamma's lines");
        var alpha = TextsOf(daemon, "apps", "alpha");
        Assert.Single(alpha, t => t.EndsWith("] from logger", StringComparison.Ordinal) && t.Contains(" alpha ", StringComparison.Ordinal));
        Assert.Equal([Rfc5424("alpha", "raw one"), Rfc5424("alpha", "raw three")], alpha.Where(t => t.Contains("raw", StringComparison.Ordinal)));
        Assert.Equal([Rfc5424("gamma", "raw two")], TextsOf(daemon, "apps", "gamma"));
        Assert.Empty(daemon.Log.Lines());
    }

    [Fact]
    public async Task Json_lines_go_to_the_file_of_their_hostname_and_facility()
    {
        await using var daemon = await StartAsync("hosts/{Hostname}/{Facility}.log", format: "json", new Dictionary<string, string?> { ["SocketDaemon:Listeners:udp:Endpoint"] = "udp://127.0.0.1:0" });

        await RunAsync("logger", "-d", "-n", "127.0.0.1", "-P", Port(daemon, "udp"), "--rfc5424", "-t", "app", "-p", "mail.err", "to mail");
        using (var client = await RawClient.ConnectAsync(daemon.Tcp))
        {
            await client.SendAsync("<34>1 - web1 sshd - - - to auth\n<34>1 - web2 sshd - - - web2 auth\n");
        }

        await Wait.UntilAsync(() => LinesOf(daemon, "hosts/web1", "auth").Count == 1 && LinesOf(daemon, "hosts/web2", "auth").Count == 1 && LinesOf(daemon, $"hosts/{Environment.MachineName}", "mail").Count == 1, "three files");
        var auth = JsonDocument.Parse(LinesOf(daemon, "hosts/web1", "auth").Single()).RootElement;
        Assert.Equal(("to auth", "web1", "auth"), (auth.GetProperty("message").GetString(), auth.GetProperty("hostname").GetString(), auth.GetProperty("facility").GetString()));
        var mail = JsonDocument.Parse(LinesOf(daemon, $"hosts/{Environment.MachineName}", "mail").Single()).RootElement;
        Assert.Equal(("to mail", "err"), (mail.GetProperty("message").GetString(), mail.GetProperty("severity").GetString()));
    }

    [Fact]
    public async Task Hostile_app_names_stay_inside_the_log_directory()
    {
        await using var daemon = await StartAsync();
        using var client = await RawClient.ConnectAsync(daemon.Tcp);

        // JSON carries what RFC 5424 cannot: control bytes and a NUL in an app name.
        await client.SendAsync(string.Join('\n',
            Rfc5424("../../etc/x", "dots"),
            Rfc5424("a/b", "slash"),
            Rfc5424("..", "dotdot"),
            """{"appname":"tab\tnul\u0000bell\u0007","message":"controls"}""",
            """{"appname":"","message":"empty"}""",
            "not syslog at all") + "\n");

        await Wait.UntilAsync(() => Directory.Exists(Path.Combine(daemon.LogDirectory, "apps")) && Directory.GetFiles(Path.Combine(daemon.LogDirectory, "apps")).Length >= 5 && LinesOf(daemon, "apps", "unknown").Count == 2, "five files");
        var apps = Path.Combine(daemon.LogDirectory, "apps");
        var names = Directory.GetFiles(apps).Select(f => Regex.Replace(Path.GetFileName(f), @"([0-9]{8}(_[0-9]{3})?)?\.log$", string.Empty)).Order(StringComparer.Ordinal);
        Assert.Equal(["_.", "_._.._etc_x", "a_b", "tab_tnul_u0000bell_u0007", "unknown"], names);
        Assert.Empty(Directory.GetDirectories(apps));
        Assert.False(Directory.Exists(Path.Combine(daemon.Directory, "etc")));
        Assert.False(Directory.Exists(Path.Combine(daemon.LogDirectory, "etc")));
        Assert.False(Directory.Exists(Path.Combine(apps, "a")));
        Assert.Equal(["empty", "not syslog at all"], TextsOf(daemon, "apps", "unknown").Select(t => t.StartsWith('{') ? "empty" : t));
    }

    [Fact]
    public async Task With_MaxOpenFiles_2_five_app_names_each_get_every_line_and_at_most_two_stay_open()
    {
        await using var daemon = await StartAsync(more: new Dictionary<string, string?> { ["SocketDaemon:Pipeline:1:MaxOpenFiles"] = "2" });
        string[] apps = ["alpha", "beta", "gamma", "delta", "epsilon"];

        // Two connections interleave the five names, so that files close and open again under both.
        using (var first = await RawClient.ConnectAsync(daemon.Tcp))
        using (var second = await RawClient.ConnectAsync(daemon.Tcp))
        {
            for (var round = 0; round < 20; round++)
            {
                await first.SendAsync(string.Concat(apps.Select(a => Rfc5424(a, $"first {round}") + "\n")));
                await second.SendAsync(string.Concat(apps.Reverse().Select(a => Rfc5424(a, $"second {round}") + "\n")));
            }
        }

        await Wait.UntilAsync(() => apps.All(a => TextsOf(daemon, "apps", a).Count == 40), "40 lines in each file");
        foreach (var app in apps)
        {
            var texts = TextsOf(daemon, "apps", app).Select(t => t[(t.LastIndexOf(" - ", StringComparison.Ordinal) + 3)..]).ToList();
            Assert.Equal(Enumerable.Range(0, 20).Select(r => $"first {r}"), texts.Where(t => t.StartsWith("first", StringComparison.Ordinal)));
            Assert.Equal(Enumerable.Range(0, 20).Select(r => $"second {r}"), texts.Where(t => t.StartsWith("second", StringComparison.Ordinal)));
        }

        var directory = Path.Combine(daemon.LogDirectory, "apps");
        await Wait.UntilAsync(() => OpenFilesUnder(directory).Count <= 2, "at most two files open");
    }

    [Fact]
    public async Task Each_file_rolls_and_is_retained_on_its_own()
    {
        await using var daemon = await StartAsync(more: new Dictionary<string, string?>
        {
            ["SocketDaemon:LogFiles:Naming"] = "Stable",
            ["SocketDaemon:Pipeline:1:FileSizeLimitBytes"] = "500",
            ["SocketDaemon:Pipeline:1:RetainedFileCountLimit"] = "2",
            ["SocketDaemon:Pipeline:1:MaxOpenFiles"] = "1",
        });
        using var client = await RawClient.ConnectAsync(daemon.Tcp);
        var apps = Path.Combine(daemon.LogDirectory, "apps");

        for (var i = 0; i < 30; i++)
        {
            await client.SendAsync(Rfc5424("alpha", $"alpha line {i:00}") + "\n" + Rfc5424("beta", $"beta line {i:00}") + "\n");
        }

        string[] FilesOf(string app) => [.. Directory.GetFiles(apps).Where(f => Path.GetFileName(f).StartsWith(app, StringComparison.Ordinal))];
        await Wait.UntilAsync(
            () => File.Exists(Path.Combine(apps, "alpha.log")) && File.Exists(Path.Combine(apps, "beta.log"))
                && MessageLog.ReadShared(Path.Combine(apps, "alpha.log")).EndsWith("alpha line 29\n", StringComparison.Ordinal)
                && MessageLog.ReadShared(Path.Combine(apps, "beta.log")).EndsWith("beta line 29\n", StringComparison.Ordinal)
                && FilesOf("alpha").Length == 2 && FilesOf("beta").Length == 2,
            "two files of each app, the newest ending with its last line");
        Assert.All(FilesOf("alpha").Concat(FilesOf("beta")), f => Assert.InRange(new FileInfo(f).Length, 1, 500 + 200));
        Assert.All(FilesOf("alpha"), f => Assert.DoesNotContain("beta", MessageLog.ReadShared(f), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_native_client_is_acknowledged_only_once_the_file_of_its_message_has_it()
    {
        await using var daemon = await StartAsync(more: new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:1:MaxOpenFiles"] = "1",
            ["SocketDaemon:Durability"] = "Fsync",
        });
        await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);
        string[] apps = ["alpha", "beta", "gamma"];

        for (var i = 0; i < 12; i++)
        {
            var app = apps[i % apps.Length];
            await client.SendAsync(Rfc5424(app, $"acked {i}"));

            // No wait: the acknowledgement came after the commit, which covers the file even when it closed since.
            Assert.Equal(Rfc5424(app, $"acked {i}"), TextsOf(daemon, "apps", app).Last());
        }

        var sent = await client.SendManyAsync(Enumerable.Range(0, 300).Select(i => Rfc5424(apps[i % apps.Length], $"many {i}")));

        Assert.Equal(300, sent);
        Assert.All(apps, a => Assert.Equal(104, TextsOf(daemon, "apps", a).Count));
    }

    [Fact]
    public async Task A_native_batch_whose_file_cannot_be_written_is_acknowledged_only_once_the_file_has_it()
    {
        await using var daemon = await StartAsync();
        await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);
        await client.SendAsync(Rfc5424("alpha", "first"));
        // A directory in the way of beta.log: the writer cannot open it and keeps the line queued, retrying.
        var blocker = Path.Combine(daemon.LogDirectory, "apps", "beta.log");
        Directory.CreateDirectory(blocker);

        var send = client.SendAsync(Rfc5424("beta", "held"));
        await Wait.UntilAsync(
            async () => HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/healthz")).Status == 503,
            "/healthz to report the file it cannot write");

        Assert.False(send.IsCompleted, "acknowledged while its line was in no file");
        Directory.Delete(blocker);
        await send.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([Rfc5424("beta", "held")], TextsOf(daemon, "apps", "beta"));
    }

    [Fact]
    public async Task After_a_reload_and_a_rotation_the_files_go_on_with_the_new_limit()
    {
        await using var daemon = await StartAsync();
        using var client = await RawClient.ConnectAsync(daemon.Tcp);
        await client.SendAsync(Rfc5424("alpha", "before") + "\n");
        await Wait.UntilAsync(() => TextsOf(daemon, "apps", "alpha").Count == 1, "the first line");

        // What logrotate does (rename, then SIGHUP), with a new MaxOpenFiles in the configuration.
        var apps = Path.Combine(daemon.LogDirectory, "apps");
        File.Move(Directory.GetFiles(apps).Single(), Path.Combine(daemon.Directory, "rotated.log.1"));
        daemon.Host.Services.GetRequiredService<IConfiguration>()["SocketDaemon:Pipeline:1:MaxOpenFiles"] = "1";
        Assert.True(await daemon.Host.Services.GetServices<IHostedService>().OfType<ReloadService>().Single().ReloadAsync());
        await client.SendAsync(Rfc5424("alpha", "after") + "\n" + Rfc5424("beta", "new") + "\n" + Rfc5424("alpha", "again") + "\n");

        await Wait.UntilAsync(() => TextsOf(daemon, "apps", "alpha").Count == 2 && TextsOf(daemon, "apps", "beta").Count == 1, "the lines after the reload");
        Assert.EndsWith(" - before\n", MessageLog.ReadShared(Path.Combine(daemon.Directory, "rotated.log.1")), StringComparison.Ordinal);
        Assert.Equal([Rfc5424("alpha", "after"), Rfc5424("alpha", "again")], TextsOf(daemon, "apps", "alpha"));
        await Wait.UntilAsync(() => OpenFilesUnder(apps).Count <= 1, "one file open");
    }

    [Theory]
    [InlineData("apps/{Program}.log", null, "SocketDaemon:Pipeline:1:Path: '{Program}' is not a property a path can name")]
    [InlineData("../{AppName}.log", null, "SocketDaemon:Pipeline:1:Path: '../{AppName}.log' leads outside the log directory")]
    [InlineData("/var/log/{AppName}.log", null, "SocketDaemon:Pipeline:1:Path: '/var/log/{AppName}.log' leads outside the log directory")]
    [InlineData("apps/{AppName}.log", "0", "SocketDaemon:Pipeline:1:MaxOpenFiles: 0 is not a positive number")]
    public async Task A_bad_template_or_bound_stops_start_up_naming_its_key(string path, string? maxOpenFiles, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(path, more: new Dictionary<string, string?> { ["SocketDaemon:Pipeline:1:MaxOpenFiles"] = maxOpenFiles }));

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }
}
