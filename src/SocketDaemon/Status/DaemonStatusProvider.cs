using System.Globalization;
using System.Text;
using SocketDaemon.Client.Status;
using SocketDaemon.Listeners;
using SocketDaemon.Nats;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Connections;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Status;

/// <summary>Reports what the daemon is and has seen, for <c>/status</c>, <c>/</c>, <c>/metrics</c> and the native protocol.</summary>
public sealed class DaemonStatusProvider
{
    private readonly ListenerRegistry _listeners;
    private readonly TimeProvider _time;
    private readonly ForwardHandlers? _forwards;

    /// <summary>Creates the provider; the daemon's start is now.</summary>
    public DaemonStatusProvider(ListenerRegistry listeners, TimeProvider? time = null, ForwardHandlers? forwards = null)
    {
        ArgumentNullException.ThrowIfNull(listeners);
        _listeners = listeners;
        _forwards = forwards;
        _time = time ?? TimeProvider.System;
        StartedAt = _time.GetUtcNow();
    }

    /// <summary>The daemon's version, from its assembly.</summary>
    public static string Version => DaemonVersion.Text;

    /// <summary>When the daemon started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The time since start.</summary>
    public TimeSpan Uptime => _time.GetUtcNow() - StartedAt;

    /// <summary>The bound listeners.</summary>
    public IReadOnlyList<BoundListener> Listeners => _listeners.Listeners;

    /// <summary>A snapshot of everything.</summary>
    public DaemonStatus GetStatus()
    {
        var status = new DaemonStatus
        {
            Version = Version,
            ProcessId = Environment.ProcessId,
            StartedAt = StartedAt,
            UptimeSeconds = Math.Round(Uptime.TotalSeconds, 3),
        };

        foreach (var listener in _listeners.Listeners)
        {
            var item = new ListenerStatus
            {
                Name = listener.Name,
                Endpoint = listener.Endpoint.ToString(),
                Framing = listener.Framing.ToString().ToLowerInvariant(),
                Connections = listener.Connections,
                OpenConnections = listener.OpenConnections,
                Messages = listener.Messages,
                Bytes = listener.Bytes,
                Errors = listener.Errors,
                ErrorsByReason = new Dictionary<string, long>(listener.ErrorsByReason),
                DatagramsDropped = listener.IsDatagram ? listener.DatagramsDropped : null,
            };
            status.Listeners.Add(item);
            Add(status.Totals, item);
        }

        status.Connections.AddRange(_listeners.OpenConnections().OrderBy(c => c.Id));
        status.Forwards.AddRange(GetForwards());
        status.NatsOutboxes.AddRange(GetNatsOutboxes());
        return status;
    }

    /// <summary>The pipeline steps' counters: outputs, filter drops, parse errors (set by the host).</summary>
    public SocketDaemonMetrics? Metrics { get; init; }

    /// <summary>The NATS outboxes <c>Nats</c> steps publish through (set by the host).</summary>
    internal NatsPublishers? Nats { get; init; }

    /// <summary>The message log files' reopen counts (set by the host; resolved when asked, not at start).</summary>
    internal Func<IEnumerable<(string Path, string Reason, long Count)>>? LogReopens { get; init; }
    /// <summary>What <c>Parse</c> steps counted (set by the host).</summary>
    internal Syslog.ParseCounters? Parsing { get; init; }

    /// <summary>Each NATS outbox's counters, in the order of their spools.</summary>
    public IEnumerable<NatsOutboxStatus> GetNatsOutboxes() => Nats?.GetStatus() ?? [];

    /// <summary>The Syslog steps' counters, as forward entries with <c>syslog+</c> upstreams (set by the host).</summary>
    internal Func<IEnumerable<ForwardStatus>>? Syslogs { get; init; }

    /// <summary>Each Syslog step's UDP messages cut to <c>MaxDatagramBytes</c>, by spool (set by the host).</summary>
    internal Func<IEnumerable<(string Spool, long Truncated)>>? SyslogTruncations { get; init; }

    /// <summary>Each Forward (and Syslog) step's counters, in the order of their spools.</summary>
    public IEnumerable<ForwardStatus> GetForwards() =>
        (_forwards?.Running ?? []).Select(f => f.GetStatus()).Concat(Syslogs?.Invoke() ?? []).OrderBy(f => f.Spool, StringComparer.Ordinal);

    /// <summary>The plain-text summary of <c>GET /</c>: one screen an operator reads at a glance.</summary>
    public string GetSummary()
    {
        var status = GetStatus();
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.Append(culture, $"SocketDaemon {status.Version}, pid {status.ProcessId}, up {FormatUptime(Uptime)} (since {status.StartedAt:yyyy-MM-ddTHH:mm:ssZ})\n\n");
        text.Append(culture, $"{"LISTENER",-12} {"ENDPOINT",-44} {"FRAMING",-8} {"OPEN",6} {"CONNECTIONS",12} {"MESSAGES",12} {"BYTES",14} {"ERRORS",8}\n");
        foreach (var l in status.Listeners)
        {
            text.Append(culture, $"{l.Name,-12} {l.Endpoint,-44} {l.Framing,-8} {l.OpenConnections,6} {l.Connections,12} {l.Messages,12} {l.Bytes,14} {l.Errors,8}\n");
        }

        var t = status.Totals;
        text.Append(culture, $"{"total",-12} {string.Empty,-44} {string.Empty,-8} {t.OpenConnections,6} {t.Connections,12} {t.Messages,12} {t.Bytes,14} {t.Errors,8}\n");
        foreach (var (reason, count) in t.ErrorsByReason.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(culture, $"  errors {reason}: {count}\n");
        }

        foreach (var l in status.Listeners.Where(l => l.DatagramsDropped > 0))
        {
            text.Append(culture, $"  {l.Name}: {l.DatagramsDropped} datagrams dropped, receive buffer full (raise Listeners:{l.Name}:ReceiveBufferBytes)\n");
        }

        return text.ToString();
    }

    private static void Add(StatusCounters totals, StatusCounters item)
    {
        totals.Connections += item.Connections;
        totals.OpenConnections += item.OpenConnections;
        totals.Messages += item.Messages;
        totals.Bytes += item.Bytes;
        totals.Errors += item.Errors;
        foreach (var (reason, count) in item.ErrorsByReason)
        {
            totals.ErrorsByReason[reason] = totals.ErrorsByReason.GetValueOrDefault(reason) + count;
        }
    }

    private static string FormatUptime(TimeSpan uptime) => uptime.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)uptime.TotalDays}d {uptime.Hours}h {uptime.Minutes}m")
        : string.Create(CultureInfo.InvariantCulture, $"{uptime.Hours}h {uptime.Minutes}m {uptime.Seconds}s");
}
