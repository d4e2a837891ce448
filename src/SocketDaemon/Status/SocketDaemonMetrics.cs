using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using SocketDaemon.Listeners;

namespace SocketDaemon.Status;

/// <summary>
/// The daemon's counters as a <see cref="Meter"/> named <c>SocketDaemon</c>, for <c>dotnet-counters</c> and
/// OpenTelemetry, and the counters of the pipeline's steps (outputs, filter drops) that
/// <c>/metrics</c> also reports. The listener instruments observe the listeners' own counters, so the hot path
/// counts once and <c>/metrics</c>, <c>/status</c> and the meter always agree.
/// </summary>
public sealed class SocketDaemonMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SocketDaemon";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Output, string Name), OutputCounters> _outputs = new();
    private readonly ConcurrentDictionary<string, StrongBox<long>> _filterDrops = new(StringComparer.Ordinal);

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
        _meter.CreateObservableCounter("socketdaemon.datagrams.dropped", () => listeners.Listeners.Where(l => l.IsDatagram).Select(l => new Measurement<long>(
            l.DatagramsDropped, new KeyValuePair<string, object?>("listener", l.Name), new KeyValuePair<string, object?>("reason", "receive_buffer"))), "{datagram}", "Datagrams the kernel dropped before the daemon read them.");
        _meter.CreateObservableCounter("socketdaemon.output.written", () => PerOutput(o => o.Written), "{message}", "Messages an output step handed to its destination.");
        _meter.CreateObservableCounter("socketdaemon.output.failed", () => PerOutput(o => o.Failed), "{message}", "Messages an output step refused or could not hand on.");
        _meter.CreateObservableCounter("socketdaemon.output.spooled", () => PerOutput(o => o.Spooled), "{message}", "Messages an output step wrote to its spool.");
        _meter.CreateObservableCounter("socketdaemon.filter.dropped", () => PerListener(_filterDrops), "{message}", "Messages a Filter step dropped.");
    }

    /// <summary>The output steps' counters, ordered by output and name.</summary>
    public IReadOnlyList<OutputCounters> Outputs =>
        [.. _outputs.Values.OrderBy(o => o.Output, StringComparer.Ordinal).ThenBy(o => o.Name, StringComparer.Ordinal)];

    /// <summary>Messages Filter steps dropped, by listener.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> FilterDrops => Snapshot(_filterDrops);


    /// <summary>
    /// The counters of the output step <paramref name="output"/> named <paramref name="name"/>; a step rebuilt on
    /// reload gets the same counters back, so they never go down while the daemon runs.
    /// </summary>
    public OutputCounters Output(string output, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentNullException.ThrowIfNull(name);
        return _outputs.GetOrAdd((output, name), static key => new OutputCounters(key.Output, key.Name));
    }

    /// <summary>Counts a message a Filter step dropped, on <paramref name="listener"/>.</summary>
    public void FilterDropped(string listener) => Increment(_filterDrops, listener);


    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static void Increment(ConcurrentDictionary<string, StrongBox<long>> counters, string listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        Interlocked.Increment(ref counters.GetOrAdd(listener, static _ => new StrongBox<long>()).Value);
    }

    private static KeyValuePair<string, long>[] Snapshot(ConcurrentDictionary<string, StrongBox<long>> counters) =>
        [.. counters.Select(c => KeyValuePair.Create(c.Key, Interlocked.Read(ref c.Value.Value))).OrderBy(c => c.Key, StringComparer.Ordinal)];

    private IEnumerable<Measurement<long>> PerOutput(Func<OutputCounters, long> value) =>
        Outputs.Select(o => new Measurement<long>(value(o), new KeyValuePair<string, object?>("output", o.Output), new KeyValuePair<string, object?>("name", o.Name)));

    private static IEnumerable<Measurement<long>> PerListener(ConcurrentDictionary<string, StrongBox<long>> counters) =>
        Snapshot(counters).Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("listener", c.Key)));

    private static IEnumerable<Measurement<long>> PerListener(ListenerRegistry listeners, Func<BoundListener, long> value) =>
        listeners.Listeners.Select(l => new Measurement<long>(value(l), new KeyValuePair<string, object?>("listener", l.Name)));

    private static IEnumerable<Measurement<long>> Errors(ListenerRegistry listeners) =>
        listeners.Listeners.SelectMany(l => l.ErrorsByReason.Select(e => new Measurement<long>(
            e.Value,
            new KeyValuePair<string, object?>("listener", l.Name),
            new KeyValuePair<string, object?>("reason", e.Key))));
}
