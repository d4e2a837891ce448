using System.Text.Json;
using System.Text.RegularExpressions;
using SocketDaemon.Client;
using SocketDaemon.Client.Status;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>Status, metrics and health over HTTP on any stream listener.</summary>
public partial class HttpTests
{
    [Fact]
    public async Task Get_root_is_a_plain_text_summary_naming_every_listener()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var (status, headers, body) = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Unix, "/"));

        Assert.Equal(200, status);
        Assert.Contains("Content-Type: text/plain; charset=utf-8", headers, StringComparison.Ordinal);
        Assert.StartsWith("SocketDaemon ", body, StringComparison.Ordinal);
        Assert.Contains(daemon.Unix.ToString(), body, StringComparison.Ordinal);
        Assert.Contains(daemon.Tcp.ToString(), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_status_is_json_with_listeners_and_counters()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using (var client = await TestDaemon.ConnectAsync(daemon.Tcp, MessageFraming.Lines))
        {
            await client.SendManyAsync(["one", "two", "three"]);
        }

        await daemon.Log.WaitForAsync(3);
        var (status, headers, body) = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/status"));

        Assert.Equal(200, status);
        Assert.Contains("Content-Type: application/json", headers, StringComparison.Ordinal);
        var report = JsonSerializer.Deserialize(body, StatusJsonContext.Default.DaemonStatus)!;
        Assert.Equal(["unix", "tcp"], report.Listeners.Select(l => l.Name).Order(StringComparer.Ordinal).Reverse());
        var tcp = report.Listeners.Single(l => l.Name == "tcp");
        Assert.Equal(daemon.Tcp.ToString(), tcp.Endpoint);
        Assert.Equal("auto", tcp.Framing);
        Assert.Equal(3, tcp.Messages);
        Assert.Equal(11, tcp.Bytes);
        Assert.True(report.UptimeSeconds >= 0);
        Assert.Equal(Environment.ProcessId, report.ProcessId);
        using var json = JsonDocument.Parse(body);
        Assert.True(json.RootElement.TryGetProperty("listeners", out _), "the JSON uses camelCase names");
    }

    [Fact]
    public async Task Get_metrics_is_prometheus_text_whose_counters_match_what_was_sent()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:MaxMessageBytes"] = "100" });
        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix))
        {
            await client.SendManyAsync(Enumerable.Range(0, 25).Select(i => $"message {i}"));
        }

        using (var bad = await RawClient.ConnectAsync(daemon.Unix))
        {
            await bad.SendAsync([.. RawClient.SeedFrame("ok"), .. RawClient.SeedHeader(1000)]);
            await bad.WaitForCloseAsync();
        }

        await daemon.Log.WaitForAsync(26);
        var (status, headers, body) = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Unix, "/metrics"));

        Assert.Equal(200, status);
        Assert.Contains("Content-Type: text/plain; version=0.0.4", headers, StringComparison.Ordinal);
        var samples = new Dictionary<string, double>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.Matches(CommentLine(), line);
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            Assert.Matches("^(socketdaemon|process)_", line);
            samples[match.Groups["series"].Value] = double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(26, samples["socketdaemon_messages_received_total{listener=\"unix\"}"]);
        Assert.Equal(0, samples["socketdaemon_messages_received_total{listener=\"tcp\"}"]);
        Assert.Equal(Enumerable.Range(0, 25).Sum(i => $"message {i}".Length) + "ok".Length, samples["socketdaemon_bytes_received_total{listener=\"unix\"}"]);
        Assert.Equal(1, samples["socketdaemon_errors_total{listener=\"unix\",reason=\"oversize\"}"]);
        Assert.True(samples["socketdaemon_connections_accepted_total{listener=\"unix\"}"] >= 3);
    }

    [Fact]
    public async Task Healthz_is_200_while_listening_and_writable_503_when_the_log_cannot_be_written()
    {
        await using var daemon = await TestDaemon.StartAsync();

        Assert.Equal(200, HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Unix, "/healthz")).Status);

        // A removed directory is made again by the writer; one whose name a file takes cannot be.
        Directory.Delete(daemon.LogDirectory, recursive: true);
        File.WriteAllText(daemon.LogDirectory, "not a directory");
        var (status, _, body) = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Unix, "/healthz"));
        Assert.Equal(503, status);
        Assert.StartsWith("unhealthy: ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_gets_the_headers_alone_and_unknown_paths_404()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var head = await HttpExchange.GetAsync(daemon.Tcp, "/status", "HEAD");
        var missing = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/nope"));

        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Content-Length: ", head, StringComparison.Ordinal);
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task A_bare_GET_slash_as_HTTP_0_9_gets_the_summary_without_headers()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var reply = await HttpExchange.ExchangeAsync(daemon.Unix, "GET /\n");

        Assert.StartsWith("SocketDaemon ", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1.1", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_head_over_8_KiB_is_refused()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var reply = await HttpExchange.ExchangeAsync(daemon.Tcp, "GET / HTTP/1.1\r\nX-Filler: " + new string('a', 9000) + "\r\n\r\n");

        Assert.Equal(431, HttpExchange.Parse(reply).Status);
    }

    [GeneratedRegex(@"^# (HELP|TYPE) (socketdaemon|process)_[a-z_]+ .+$")]
    private static partial Regex CommentLine();

    [GeneratedRegex(@"^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*\})?) (?<value>[-+]?[0-9.eE+-]+|NaN|[+-]Inf)$")]
    private static partial Regex SampleLine();
}
