using System.Diagnostics.Metrics;
using SocketDaemon.Connections;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Listeners;

/// <summary>
/// The listeners' instruments on the daemon's meter: they observe each bound listener's own counters, so the hot path
/// counts once and <c>/metrics</c>, <c>/status</c> and the meter always agree.
/// </summary>
internal sealed class ListenerMetrics
{
    /// <summary>Adds the instruments to <paramref name="metrics"/>' meter.</summary>
    public ListenerMetrics(SocketDaemonMetrics metrics, ListenerRegistry listeners)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(listeners);
        var meter = metrics.Meter;
        meter.CreateObservableCounter("socketdaemon.messages.received", () => PerListener(listeners, l => l.Messages), "{message}", "Messages read.");
        meter.CreateObservableCounter("socketdaemon.bytes.received", () => PerListener(listeners, l => l.Bytes), "By", "Message bytes read, without framing.");
        meter.CreateObservableCounter("socketdaemon.connections.accepted", () => PerListener(listeners, l => l.Connections), "{connection}", "Connections accepted.");
        meter.CreateObservableUpDownCounter("socketdaemon.connections.open", () => PerListener(listeners, l => l.OpenConnections), "{connection}", "Connections open now.");
        meter.CreateObservableCounter("socketdaemon.errors", () => Errors(listeners), "{error}", "Connections closed or messages refused, by reason.");
        meter.CreateObservableCounter("socketdaemon.datagrams.dropped", () => listeners.Listeners.Where(l => l.IsDatagram).Select(l => new Measurement<long>(
            l.DatagramsDropped, new KeyValuePair<string, object?>("listener", l.Name), new KeyValuePair<string, object?>("reason", "receive_buffer"))), "{datagram}", "Datagrams the kernel dropped before the daemon read them.");
    }

    private static IEnumerable<Measurement<long>> PerListener(ListenerRegistry listeners, Func<BoundListener, long> value) =>
        listeners.Listeners.Select(l => new Measurement<long>(value(l), new KeyValuePair<string, object?>("listener", l.Name)));

    private static IEnumerable<Measurement<long>> Errors(ListenerRegistry listeners) =>
        listeners.Listeners.SelectMany(l => l.ErrorsByReason.Select(e => new Measurement<long>(
            e.Value,
            new KeyValuePair<string, object?>("listener", l.Name),
            new KeyValuePair<string, object?>("reason", e.Key))));
}
