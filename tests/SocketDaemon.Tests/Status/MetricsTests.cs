using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Status;

/// <summary>/metrics: outputs, filter drops, parse errors and the process, in a valid Prometheus exposition.</summary>
public partial class MetricsTests
{
    private static Dictionary<string, string?> Pipeline() => new()
    {
        ["SocketDaemon:Pipeline:0:Handler"] = "Parse",
        ["SocketDaemon:Pipeline:0:Format"] = "syslog",
        ["SocketDaemon:Pipeline:1:Handler"] = "Filter",
        ["SocketDaemon:Pipeline:1:Match"] = "^drop",
        ["SocketDaemon:Pipeline:2:Handler"] = "Exec",
        ["SocketDaemon:Pipeline:2:Mode"] = "transform",
        ["SocketDaemon:Pipeline:2:Command"] = "sed",
        ["SocketDaemon:Pipeline:2:Args:0"] = "-u",
        ["SocketDaemon:Pipeline:2:Args:1"] = "s/^/X:/",
        ["SocketDaemon:Pipeline:2:Timeout"] = "00:00:05",
        ["SocketDaemon:Pipeline:3:Handler"] = "Forward",
        ["SocketDaemon:Pipeline:3:Upstreams:0"] = "tcp://127.0.0.1:1",
        ["SocketDaemon:Pipeline:3:Acknowledge"] = "local",
        ["SocketDaemon:Pipeline:3:Match"] = ".",
        ["SocketDaemon:Pipeline:3:Final"] = "false",
        ["SocketDaemon:Pipeline:4:Handler"] = "Log",
    };

    [Fact]
    public async Task Metrics_count_each_outputs_messages_the_filters_drops_and_the_parse_errors()
    {
        await using var daemon = await TestDaemon.StartAsync(Pipeline());
        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native))
        {
            await client.SendManyAsync(["keep 1", "drop 1", "keep 2", "drop 2", "drop 3"]);
        }

        var samples = Samples(HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/metrics")).Body);

        Assert.Equal(["X:keep 1", "X:keep 2"], daemon.Log.Texts());
        Assert.Equal(3, samples["socketdaemon_filter_dropped_total{listener=\"unix\"}"]);
        // None of the five is syslog: each is kept whole, marked and counted by the Parse step in front.
        Assert.Equal(5, samples["socketdaemon_parse_errors_total{listener=\"unix\"}"]);
        Assert.Equal(2, samples["socketdaemon_output_written_total{output=\"exec\",name=\"sed\"}"]);
        Assert.Equal(0, samples["socketdaemon_output_failed_total{output=\"exec\",name=\"sed\"}"]);
        var forward = samples.Single(s => s.Key.StartsWith("socketdaemon_output_spooled_total{output=\"forward\"", StringComparison.Ordinal));
        Assert.Equal(2, forward.Value);
    }

    [Fact]
    public async Task Metrics_report_the_process_as_the_Prometheus_client_libraries_name_it()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var samples = Samples(HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/metrics")).Body);

        using var process = Process.GetCurrentProcess();
        Assert.InRange(samples["process_cpu_seconds_total"], 0.01, process.TotalProcessorTime.TotalSeconds + 1);
        Assert.InRange(samples["process_resident_memory_bytes"], 1 << 20, 1L << 40);
        Assert.InRange(samples["process_open_fds"], 3, samples["process_max_fds"]);
        Assert.InRange(samples["process_start_time_seconds"], DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(samples.ContainsKey("process_virtual_memory_bytes"));
    }

    [Fact]
    public async Task The_exposition_is_valid_by_a_strict_parse_and_by_promtool()
    {
        await using var daemon = await TestDaemon.StartAsync(Pipeline());
        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native))
        {
            await client.SendManyAsync(["keep", "drop", "label \"quoted\" \\ back"]);
        }

        var body = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/metrics")).Body;

        StrictParse(body);
        var (exitCode, output, error) = await RunWithInputAsync("promtool", ["check", "metrics"], body);
        Assert.True(exitCode == 0, $"promtool check metrics: exit {exitCode}\n{output}{error}\n{body}");
    }

    [Fact]
    public async Task Every_metric_is_documented()
    {
        await using var daemon = await TestDaemon.StartAsync(Pipeline());
        var body = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/metrics")).Body;
        var docs = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "metrics.md"));

        foreach (Match family in TypeLine().Matches(body))
        {
            Assert.Contains("`" + family.Groups[1].Value + "`", docs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_Grafana_dashboard_queries_parse_and_use_only_documented_metrics()
    {
        using var directory = new TempDirectory();
        var dashboard = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "grafana", "socketdaemon.json")));
        var docs = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "metrics.md"));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToList();

        // Grafana's variables replaced as Grafana would, then every query checked by promtool as a recording rule.
        var rules = new System.Text.StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < expressions.Count; i++)
        {
            var query = expressions[i].Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$job", ".*", StringComparison.Ordinal).Replace("$instance", ".*", StringComparison.Ordinal);
            rules.Append(CultureInfo.InvariantCulture, $"      - record: dashboard:query{i}\n        expr: '{query.Replace("'", "''", StringComparison.Ordinal)}'\n");
            foreach (Match metric in MetricName().Matches(query))
            {
                Assert.Contains("`" + metric.Value + "`", docs, StringComparison.Ordinal);
            }
        }

        var file = directory.Combine("dashboard.rules.yml");
        await File.WriteAllTextAsync(file, rules.ToString());
        var (exitCode, output, error) = await RunWithInputAsync("promtool", ["check", "rules", file], string.Empty);
        Assert.True(exitCode == 0, $"promtool check rules: exit {exitCode}\n{output}{error}\n{rules}");
        Assert.True(expressions.Count >= 15, $"{expressions.Count} queries");
    }

    /// <summary>Each sample line's name and labels, and its value.</summary>
    internal static Dictionary<string, double> Samples(string body) => body.Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => (Key: l[..l.LastIndexOf(' ')], Value: double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
        .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    /// <summary>
    /// The text format 0.0.4 as Prometheus parses it: HELP then TYPE once per family, before its samples; samples
    /// of the family just typed; names and label names by the grammar; label values escaped; values numbers.
    /// </summary>
    internal static void StrictParse(string body)
    {
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        string? family = null;
        string? type = null;
        foreach (var line in body[..^1].Split('\n'))
        {
            if (HelpLine().Match(line) is { Success: true } help)
            {
                family = help.Groups[1].Value;
                continue;
            }

            if (TypeLine().Match(line) is { Success: true } typeLine)
            {
                Assert.Equal(family, typeLine.Groups[1].Value);
                Assert.True(typed.Add(family!), $"family {family} typed twice");
                type = typeLine.Groups[2].Value;
                continue;
            }

            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not a sample line: '{line}'");
            Assert.Equal(family, sample.Groups["name"].Value);
            Assert.True(type != "counter" || family!.EndsWith("_total", StringComparison.Ordinal), $"counter {family} does not end in _total");
            Assert.True(double.TryParse(sample.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _), $"not a number: '{line}'");
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(string file, string[] arguments, string input)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Wait.Timeout);
        return (process.ExitCode, await output, await error);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SocketDaemon.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("the repository root is not above the test binaries");
    }

    [GeneratedRegex(@"\b(socketdaemon|process)_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();
}
