using System.Globalization;
using System.Text;
using SocketDaemon.Client.Status;

namespace SocketDaemon.Cli.Internal;

/// <summary>
/// Renders one frame of <c>socketctl top</c> as plain text, a pure function of the status and its history, so that
/// it is tested without a terminal. The screen handling (alternate screen, cursor home, keys) is <c>TopCommand</c>'s.
/// </summary>
internal static class TopView
{
    private const string Bars = "▁▂▃▄▅▆▇█";

    /// <summary>The frame: lines no wider than <paramref name="width"/>, at most <paramref name="height"/> of them.</summary>
    public static IReadOnlyList<string> Render(DaemonStatus status, TopHistory history, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(history);
        var culture = CultureInfo.InvariantCulture;
        var lines = new List<string>();
        var uptime = TimeSpan.FromSeconds(status.UptimeSeconds);
        lines.Add(string.Create(culture, $"SocketDaemon {status.Version}  pid {status.ProcessId}  up {(int)uptime.TotalHours}h {uptime.Minutes:00}m {uptime.Seconds:00}s  {DateTimeOffset.Now:HH:mm:ss}   q: quit"));
        lines.Add(string.Empty);

        var nameWidth = Math.Max(8, status.Listeners.Select(l => l.Name.Length).DefaultIfEmpty(0).Max());
        var spark = Math.Clamp(width - nameWidth - 50, 10, TopHistory.Length);
        lines.Add(string.Create(culture, $"{"LISTENER".PadRight(nameWidth)} {"MSG/S",9} {"LAST MINUTE".PadRight(spark)} {"OPEN",6} {"CONNS",9} {"MESSAGES",12} {"ERRORS",8}"));
        foreach (var listener in status.Listeners)
        {
            lines.Add(Row(listener.Name, history.Rates(listener.Name), listener));
        }

        lines.Add(Row("total", history.Rates(TopHistory.Total), status.Totals));

        if (status.Totals.ErrorsByReason.Count > 0)
        {
            lines.Add(string.Empty);
            lines.Add("ERRORS BY REASON");
            foreach (var (reason, count) in status.Totals.ErrorsByReason.OrderByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal))
            {
                lines.Add(string.Create(culture, $"  {reason,-32} {count,12:N0}"));
            }
        }

        if (status.Forwards.Count > 0 || status.NatsOutboxes.Count > 0)
        {
            lines.Add(string.Empty);
            lines.Add(string.Create(culture, $"{"OUTPUT",-8} {"SPOOL",-40} {"PENDING",10} {"SPOOL BYTES",14} UPSTREAMS"));
            foreach (var forward in status.Forwards)
            {
                lines.Add(string.Create(culture, $"{"forward",-8} {Fit(forward.Spool, 40),-40} {forward.Pending,10:N0} {forward.SpoolBytes,14:N0} {forward.UpstreamsConnected}/{forward.Upstreams.Count} connected"));
            }

            foreach (var outbox in status.NatsOutboxes)
            {
                lines.Add(string.Create(culture, $"{"nats",-8} {Fit(outbox.Spool, 40),-40} {outbox.Pending,10:N0} {outbox.SpoolBytes,14:N0} {outbox.Url} {outbox.Stream}"));
            }
        }

        return [.. lines.Take(Math.Max(1, height)).Select(l => Fit(l, Math.Max(1, width)))];

        string Row(string name, IReadOnlyList<double> rates, StatusCounters counters) => string.Create(
            culture,
            $"{name.PadRight(nameWidth)} {(rates.Count > 0 ? rates[^1] : 0),9:N0} {Sparkline(rates, spark).PadRight(spark)} {counters.OpenConnections,6:N0} {counters.Connections,9:N0} {counters.Messages,12:N0} {counters.Errors,8:N0}");
    }

    /// <summary>The last <paramref name="width"/> rates as bars scaled to their maximum; a flat zero is the lowest bar.</summary>
    public static string Sparkline(IReadOnlyList<double> rates, int width)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var shown = rates.Skip(Math.Max(0, rates.Count - width)).ToList();
        var max = shown.DefaultIfEmpty(0).Max();
        var text = new StringBuilder(shown.Count);
        foreach (var rate in shown)
        {
            text.Append(max <= 0 ? Bars[0] : Bars[(int)Math.Round(rate / max * (Bars.Length - 1))]);
        }

        return text.ToString();
    }

    private static string Fit(string text, int width) => text.Length <= width ? text : text[..width];
}
