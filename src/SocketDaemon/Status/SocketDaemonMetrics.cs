using System.Diagnostics.Metrics;
using SocketDaemon.Listeners;

namespace SocketDaemon.Status;

/// <summary>
/// The daemon's counters as a <see cref="Meter"/> named <c>SocketDaemon</c>, for <c>dotnet-counters</c> and
/// OpenTelemetry. The instruments observe the listeners' own counters, so the hot path counts once and
/// <c>/metrics</c>, <c>/status</c> and the meter always agree.
/// </summary>
public sealed class SocketDaemonMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SocketDaemon";

    private readonly Meter _meter;

    /// <summary>Creates the meter and its instruments.</summary>
    public SocketDaemonMetrics(IMeterFactory meters, ListenerRegistry listeners)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(listeners);
        _meter = meters.Create(new MeterOptions(MeterName) { Version = DaemonStatusProvider.Version });
        _meter.CreateObservableCounter("socketdaemon.messages.received", () => PerListener(listeners, l => l.Messages), "{message}", "Messages read.");
        _meter.CreateObservableCounter("socketdaemon.bytes.received", () => PerListener(listeners, l => l.Bytes), "By", "Message bytes read, without framing.");
        _meter.CreateObservableCounter("socketdaemon.connections.accepted", () => PerListener(listeners, l => l.Connections), "{connection}", "Connections accepted.");
        _meter.CreateObservableUpDownCounter("socketdaemon.connections.open", () => PerListener(listeners, l => l.OpenConnections), "{connection}", "Connections open now.");
        _meter.CreateObservableCounter("socketdaemon.errors", () => Errors(listeners), "{error}", "Connections closed or messages refused, by reason.");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> PerListener(ListenerRegistry listeners, Func<BoundListener, long> value) =>
        listeners.Listeners.Select(l => new Measurement<long>(value(l), new KeyValuePair<string, object?>("listener", l.Name)));

    private static IEnumerable<Measurement<long>> Errors(ListenerRegistry listeners) =>
        listeners.Listeners.SelectMany(l => l.ErrorsByReason.Select(e => new Measurement<long>(
            e.Value,
            new KeyValuePair<string, object?>("listener", l.Name),
            new KeyValuePair<string, object?>("reason", e.Key))));
}
