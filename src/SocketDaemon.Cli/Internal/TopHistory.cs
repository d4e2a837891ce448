using SocketDaemon.Client.Status;

namespace SocketDaemon.Cli.Internal;

/// <summary>
/// What <c>socketctl top</c> remembers between refreshes: the last status, and for each listener and the total the
/// messages/s of the last minute, one sample a refresh.
/// </summary>
internal sealed class TopHistory
{
    /// <summary>Samples kept: a minute at one refresh a second.</summary>
    public const int Length = 60;

    private readonly Dictionary<string, Queue<double>> _rates = new(StringComparer.Ordinal);
    private DaemonStatus? _previous;

    /// <summary>The name the total's rates are kept under (no listener can have it: names have no spaces).</summary>
    public const string Total = " total";

    /// <summary>Adds <paramref name="status"/>; rates are the counter increase since the previous one, per second of uptime between them.</summary>
    public void Add(DaemonStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (_previous is { } previous && status.UptimeSeconds > previous.UptimeSeconds)
        {
            var seconds = status.UptimeSeconds - previous.UptimeSeconds;
            foreach (var listener in status.Listeners)
            {
                var before = previous.Listeners.FirstOrDefault(l => l.Name == listener.Name)?.Messages ?? listener.Messages;
                Push(listener.Name, Math.Max(0, listener.Messages - before) / seconds);
            }

            Push(Total, Math.Max(0, status.Totals.Messages - previous.Totals.Messages) / seconds);
        }

        _previous = status;
    }

    /// <summary>The rates of <paramref name="name"/>, oldest first.</summary>
    public IReadOnlyList<double> Rates(string name) => _rates.TryGetValue(name, out var rates) ? [.. rates] : [];

    private void Push(string name, double rate)
    {
        if (!_rates.TryGetValue(name, out var rates))
        {
            _rates[name] = rates = new Queue<double>(Length);
        }

        if (rates.Count == Length)
        {
            rates.Dequeue();
        }

        rates.Enqueue(rate);
    }
}
