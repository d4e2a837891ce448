using System.Globalization;
using System.Text;
using SocketDaemon.Client.Status;
using SocketDaemon.Connections;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Status;

/// <summary>
/// Writes the counters in the Prometheus text exposition format, version 0.0.4
/// (<see href="https://prometheus.io/docs/instrumenting/exposition_formats/"/>).
/// </summary>
public static class PrometheusExposition
{
    /// <summary>The content type Prometheus expects for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Renders every metric of <paramref name="status"/>.</summary>
    public static string Render(DaemonStatusProvider status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var listeners = status.Listeners;
        var text = new StringBuilder();
        Family(text, "socketdaemon_build_info", "gauge", "The daemon's version.");
        Sample(text, "socketdaemon_build_info", $"version=\"{Escape(DaemonStatusProvider.Version)}\"", 1);
        Family(text, "socketdaemon_uptime_seconds", "gauge", "Seconds since the daemon started.");
        Sample(text, "socketdaemon_uptime_seconds", null, Math.Round(status.Uptime.TotalSeconds, 3));

        PerListener(text, listeners, "socketdaemon_messages_received_total", "counter", "Messages read.", l => l.Messages);
        PerListener(text, listeners, "socketdaemon_bytes_received_total", "counter", "Message bytes read, without framing.", l => l.Bytes);
        PerListener(text, listeners, "socketdaemon_connections_accepted_total", "counter", "Connections accepted.", l => l.Connections);
        PerListener(text, listeners, "socketdaemon_connections_open", "gauge", "Connections open now.", l => l.OpenConnections);

        Family(text, "socketdaemon_errors_total", "counter", "Connections closed or messages refused, by reason.");
        foreach (var listener in listeners)
        {
            foreach (var (reason, count) in listener.ErrorsByReason.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                Sample(text, "socketdaemon_errors_total", $"listener=\"{Escape(listener.Name)}\",reason=\"{Escape(reason)}\"", count);
            }
        }

        status.Parsing?.WriteMetrics(text);
        var datagrams = listeners.Where(l => l.IsDatagram).ToList();
        PerItem(text, datagrams, "socketdaemon_datagrams_dropped_total", "counter", "Datagrams the kernel dropped before the daemon read them, by reason (receive_buffer: the socket's receive buffer was full).", static l => $"listener=\"{Escape(l.Name)}\",reason=\"receive_buffer\"", static l => l.DatagramsDropped);

        var forwards = status.GetForwards().ToList();
        PerForward(text, forwards, "socketdaemon_forward_spooled_total", "counter", "Messages a Forward step wrote to its spool.", f => f.Spooled);
        PerForward(text, forwards, "socketdaemon_forward_forwarded_total", "counter", "Messages an upstream acknowledged to a Forward step.", f => f.Forwarded);
        PerForward(text, forwards, "socketdaemon_forward_pending", "gauge", "Messages in a Forward step's spool not yet acknowledged.", f => f.Pending);
        PerForward(text, forwards, "socketdaemon_forward_upstreams_connected", "gauge", "Upstreams a Forward step is connected to.", f => f.UpstreamsConnected);
        PerForward(text, forwards, "socketdaemon_forward_spool_bytes", "gauge", "Bytes of a Forward step's spool files.", f => f.SpoolBytes);

        PerItem(text, status.SyslogTruncations?.Invoke().ToList() ?? [], "socketdaemon_syslog_truncated_total", "counter", "UDP messages a Syslog step cut to MaxDatagramBytes.", static t => $"spool=\"{Escape(t.Spool)}\"", static t => t.Truncated);
        var outboxes = status.GetNatsOutboxes().ToList();
        PerOutbox(text, outboxes, "socketdaemon_nats_pending", "gauge", "Messages a NATS outbox holds that JetStream has not acknowledged.", o => o.Pending);
        PerOutbox(text, outboxes, "socketdaemon_nats_spool_bytes", "gauge", "Bytes of a NATS outbox's spool files.", o => o.SpoolBytes);
        PerItem(text, status.LogReopens?.Invoke().ToList() ?? [], "socketdaemon_log_reopened_total", "counter", "Times a message log file was opened anew by name: deleted while open, or asked by SIGHUP.", static r => $"file=\"{Escape(r.Path)}\",reason=\"{r.Reason}\"", static r => r.Count);

        if (status.Metrics is { } metrics)
        {
            var outputs = metrics.Outputs.ToList();
            PerItem(text, outputs, "socketdaemon_output_written_total", "counter", "Messages an output step handed to its destination.", OutputLabels, static o => o.Written);
            PerItem(text, outputs, "socketdaemon_output_failed_total", "counter", "Messages an output step refused or could not hand on.", OutputLabels, static o => o.Failed);
            PerItem(text, outputs, "socketdaemon_output_spooled_total", "counter", "Messages an output step wrote to its spool.", OutputLabels, static o => o.Spooled);
            ByListener(text, "socketdaemon_filter_dropped_total", "Messages a Filter step dropped.", metrics.FilterDrops);
        }

        RenderProcess(text, ProcessMetrics.Read());
        return text.ToString();
    }

    private static string OutputLabels(OutputCounters output) => $"output=\"{Escape(output.Output)}\",name=\"{Escape(output.Name)}\"";

    private static void ByListener(StringBuilder text, string name, string help, IReadOnlyList<KeyValuePair<string, long>> counts)
    {
        Family(text, name, "counter", help);
        foreach (var (listener, count) in counts)
        {
            Sample(text, name, $"listener=\"{Escape(listener)}\"", count);
        }
    }

    private static void RenderProcess(StringBuilder text, ProcessMetrics process)
    {
        Family(text, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
        Sample(text, "process_cpu_seconds_total", null, Math.Round(process.CpuSeconds, 3));
        Family(text, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        Sample(text, "process_resident_memory_bytes", null, process.ResidentBytes);
        Family(text, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
        Sample(text, "process_virtual_memory_bytes", null, process.VirtualBytes);
        Family(text, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
        Sample(text, "process_start_time_seconds", null, process.StartTimeSeconds);

        // Unknown (-1) where /proc cannot be read: left out rather than reported wrong.
        if (process.OpenFds >= 0)
        {
            Family(text, "process_open_fds", "gauge", "Number of open file descriptors.");
            Sample(text, "process_open_fds", null, process.OpenFds);
        }

        if (process.MaxFds >= 0)
        {
            Family(text, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
            Sample(text, "process_max_fds", null, process.MaxFds);
        }
    }

    private static void PerForward(StringBuilder text, List<ForwardStatus> forwards, string name, string type, string help, Func<ForwardStatus, long> value) =>
        PerItem(text, forwards, name, type, help, static f => $"spool=\"{Escape(f.Spool)}\"", value);

    private static void PerOutbox(StringBuilder text, List<NatsOutboxStatus> outboxes, string name, string type, string help, Func<NatsOutboxStatus, long> value) =>
        PerItem(text, outboxes, name, type, help, static o => $"stream=\"{Escape(o.Stream)}\",url=\"{Escape(o.Url)}\"", value);

    // A family only when there is something to report: a daemon without Forward or Nats steps shows none of theirs.
    private static void PerItem<T>(StringBuilder text, List<T> items, string name, string type, string help, Func<T, string> labels, Func<T, long> value)
    {
        if (items.Count == 0)
        {
            return;
        }

        Family(text, name, type, help);
        foreach (var item in items)
        {
            Sample(text, name, labels(item), value(item));
        }
    }

    private static void PerListener(StringBuilder text, IReadOnlyList<BoundListener> listeners, string name, string type, string help, Func<BoundListener, long> value)
    {
        Family(text, name, type, help);
        foreach (var listener in listeners)
        {
            Sample(text, name, $"listener=\"{Escape(listener.Name)}\"", value(listener));
        }
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    private static void Sample(StringBuilder text, string name, string? labels, double value) =>
        text.Append(CultureInfo.InvariantCulture, $"{name}{(labels is null ? string.Empty : "{" + labels + "}")} {value}\n");

    // Label values escape backslash, double quote and newline, and nothing else.
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);
}
