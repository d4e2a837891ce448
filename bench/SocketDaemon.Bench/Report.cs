using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SocketDaemon.Bench;

/// <summary>The table of one run: every server per scenario, with socketdaemon's throughput as a ratio to each reference.</summary>
public sealed class Report(BenchOptions options, IReadOnlyList<RunResult> results)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Describe(RunResult r) => r.Status switch
    {
        "ok" => string.Create(Inv, $"{r.Target,-12} {r.MessagesPerSecond,12:N0} msg/s {r.MegabytesPerSecond,8:F1} MB/s {r.Seconds,7:F2} s cpu {r.CpuSeconds,6:F2} s rss {r.PeakRssMb,6:F1} MB{Latency(r)}{(r.Note is null ? "" : " (" + r.Note + ")")}"),
        _ => $"{r.Target,-12} {r.Status}: {r.Note}",
    };

    public string Markdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {options.Messages:N0} messages x {options.Size} B over {options.Connections} connections. `x ref` is socketdaemon's messages/s divided by the row's (above 1: socketdaemon faster); CPU is the server's user+system seconds during the run; RSS is its peak (VmHWM).");
        sb.AppendLine();
        sb.AppendLine("| framing | transport | server | status | messages/s | MB/s | seconds | socketdaemon x ref | CPU s | peak RSS MB | ack p50 ms | ack p99 ms | ack p99.9 ms |");
        sb.AppendLine("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var ratio = Ratio(r);
            if (r.Status != "ok")
            {
                sb.AppendLine(Inv, $"| {r.Framing} | {r.Transport} | {r.Target} | {r.Status}: {r.ShortNote?.Replace("|", "/", StringComparison.Ordinal)} | | | | | | | | | |");
                continue;
            }

            sb.AppendLine(Inv, $"| {r.Framing} | {r.Transport} | {r.Target} | ok | {r.MessagesPerSecond:N0} | {r.MegabytesPerSecond:F1} | {r.Seconds:F2} | {(ratio is null ? "" : ratio.Value.ToString("G3", Inv))} | {r.CpuSeconds:F2} | {r.PeakRssMb:F1} | {Ms(r.P50Ms)} | {Ms(r.P99Ms)} | {Ms(r.P999Ms)} |");
        }

        return sb.ToString();
    }

    public string Json()
    {
        var runs = new JsonArray();
        foreach (var r in results)
        {
            runs.Add(new JsonObject
            {
                ["target"] = r.Target,
                ["framing"] = r.Framing,
                ["transport"] = r.Transport,
                ["connections"] = r.Connections,
                ["messages"] = r.Messages,
                ["size"] = r.Size,
                ["status"] = r.Status,
                ["note"] = r.Note,
                ["logged"] = r.Logged,
                ["seconds"] = r.Seconds,
                ["messagesPerSecond"] = r.MessagesPerSecond,
                ["megabytesPerSecond"] = r.MegabytesPerSecond,
                ["socketdaemonRatio"] = Ratio(r),
                ["cpuSeconds"] = r.CpuSeconds,
                ["peakRssMb"] = r.PeakRssMb,
                ["ackP50Ms"] = r.P50Ms,
                ["ackP99Ms"] = r.P99Ms,
                ["ackP999Ms"] = r.P999Ms,
            });
        }

        var root = new JsonObject
        {
            ["utc"] = DateTime.UtcNow.ToString("O", Inv),
            ["processors"] = Environment.ProcessorCount,
            ["connections"] = options.Connections,
            ["messages"] = options.Messages,
            ["size"] = options.Size,
            ["runs"] = runs,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>socketdaemon's messages/s over this row's, for a reference row that finished, in the same scenario.</summary>
    private double? Ratio(RunResult r)
    {
        if (r.Target == "socketdaemon" || r.Status != "ok")
        {
            return null;
        }

        var daemon = results.FirstOrDefault(d => d.Target == "socketdaemon" && d.Framing == r.Framing && d.Transport == r.Transport && d.Status == "ok");
        return daemon is null ? null : daemon.MessagesPerSecond / r.MessagesPerSecond;
    }

    private static string Latency(RunResult r) =>
        r.P50Ms is null ? "" : string.Create(Inv, $" ack p50 {r.P50Ms:F2} p99 {r.P99Ms:F2} p99.9 {r.P999Ms:F2} ms");

    private static string Ms(double? value) => value is null ? "" : value.Value.ToString("F2", Inv);
}
