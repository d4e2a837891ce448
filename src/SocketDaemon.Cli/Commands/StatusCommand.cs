using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SocketDaemon.Client;
using SocketDaemon.Client.Status;

namespace SocketDaemon.Cli.Commands;

/// <summary><c>socketctl status</c>: the daemon's listeners and counters, as a table or as JSON.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var endpoint = CommonOptions.Endpoint();
        var json = new Option<bool>("--json") { Description = "Print the status as JSON, as GET /status returns it." };
        var command = new Command("status", "Show the daemon's listeners, connections and counters.") { endpoint, json };
        var tls = new TlsCommandOptions();
        tls.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommonOptions.RunAsync(parse, async () =>
        {
            await using var client = await SocketDaemonClient.ConnectAsync(parse.GetValue(endpoint)!, tls.Apply(parse), cancellationToken);
            var status = await client.GetStatusAsync(cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            await output.WriteAsync(parse.GetValue(json) ? JsonSerializer.Serialize(status, StatusJsonContext.Default.DaemonStatus) + "\n" : Format(status));
            return 0;
        }));
        return command;
    }

    internal static string Format(DaemonStatus status)
    {
        var culture = CultureInfo.InvariantCulture;
        var uptime = TimeSpan.FromSeconds(status.UptimeSeconds);
        var rows = status.Listeners
            .Select(l => new[] { l.Name, l.Endpoint, l.Framing, Count(l.OpenConnections), Count(l.Connections), Count(l.Messages), Count(l.Bytes), Count(l.Errors) })
            .Append(["total", string.Empty, string.Empty, Count(status.Totals.OpenConnections), Count(status.Totals.Connections), Count(status.Totals.Messages), Count(status.Totals.Bytes), Count(status.Totals.Errors)])
            .Prepend(["LISTENER", "ENDPOINT", "FRAMING", "OPEN", "CONNECTIONS", "MESSAGES", "BYTES", "ERRORS"])
            .ToList();
        var widths = Enumerable.Range(0, 8).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new System.Text.StringBuilder();
        text.Append(culture, $"SocketDaemon {status.Version} (pid {status.ProcessId}), up {(int)uptime.TotalHours}h {uptime.Minutes}m {uptime.Seconds}s\n\n");
        foreach (var row in rows)
        {
            // Names left, numbers right, as ps(1) and ss(8) print them.
            text.AppendJoin("  ", row.Select((cell, c) => c < 3 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).Append('\n');
        }

        foreach (var (reason, count) in status.Totals.ErrorsByReason.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(culture, $"errors {reason}: {count}\n");
        }

        // Forward, Syslog and Postgres steps (upstreams read syslog+tcp://..., postgres://...): what they sent and still hold.
        foreach (var output in status.Forwards)
        {
            var kind = output.Upstreams.Any(u => u.StartsWith("syslog+", StringComparison.Ordinal)) ? "syslog"
                : output.Upstreams.Any(u => u.StartsWith("postgres://", StringComparison.Ordinal)) ? "postgres" : "forward";
            var failed = output.Failed > 0 ? $", failed {Count(output.Failed)}" : string.Empty;
            text.Append(culture, $"{kind} {output.Spool}: sent {Count(output.Forwarded)}, spooled {Count(output.Spooled)}{failed}, pending {Count(output.Pending)}, {output.UpstreamsConnected}/{output.Upstreams.Count} connected ({string.Join(", ", output.Upstreams)})\n");
            if (output.Problem is { } problem)
            {
                text.Append(culture, $"  {problem}\n");
            }
        }

        return text.ToString();

        string Count(long value) => value.ToString("N0", culture);
    }
}
