using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace SocketDaemon.Diagnostics;

/// <summary>
/// The daemon's counters as a <see cref="Meter"/> named <c>SocketDaemon</c>, for <c>dotnet-counters</c> and
/// OpenTelemetry, and the counters of the pipeline's steps (outputs, filter drops) that
/// <c>/metrics</c> also reports. The listeners add their instruments to <see cref="Meter"/> (<c>ListenerMetrics</c>),
/// observing the listeners' own counters, so the hot path counts once and <c>/metrics</c>, <c>/status</c> and the
/// meter always agree.
/// </summary>
public sealed class SocketDaemonMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SocketDaemon";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Output, string Name), OutputCounters> _outputs = new();
    private readonly ConcurrentDictionary<string, StrongBox<long>> _filterDrops = new(StringComparer.Ordinal);

    /// <summary>Creates the meter and the instruments of the pipeline's steps.</summary>
    public SocketDaemonMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(new MeterOptions(MeterName) { Version = DaemonVersion.Text });
        _meter.CreateObservableCounter("socketdaemon.output.written", () => PerOutput(o => o.Written), "{message}", "Messages an output step handed to its destination.");
        _meter.CreateObservableCounter("socketdaemon.output.failed", () => PerOutput(o => o.Failed), "{message}", "Messages an output step refused or could not hand on.");
        _meter.CreateObservableCounter("socketdaemon.output.spooled", () => PerOutput(o => o.Spooled), "{message}", "Messages an output step wrote to its spool.");
        _meter.CreateObservableCounter("socketdaemon.filter.dropped", () => PerListener(_filterDrops), "{message}", "Messages a Filter step dropped.");
    }

    /// <summary>The meter, for the instruments of the folders above the pipeline (the listeners').</summary>
    internal Meter Meter => _meter;

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
}
