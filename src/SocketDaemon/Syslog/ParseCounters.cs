using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace SocketDaemon.Syslog;

/// <summary>
/// How many messages <c>Parse</c> steps parsed and could not parse, per listener, for <c>/metrics</c>
/// (<c>socketdaemon_messages_parsed_total</c>, <c>socketdaemon_parse_errors_total</c>).
/// </summary>
public sealed class ParseCounters
{
    private readonly ConcurrentDictionary<string, Counts> _byListener = new(StringComparer.Ordinal);

    /// <summary>The counts of one listener, which a step keeps to count without a lookup per message.</summary>
    public Counts For(string listener) => _byListener.GetOrAdd(listener, static _ => new Counts());

    /// <summary>The listeners with counts, in name order.</summary>
    public IEnumerable<KeyValuePair<string, Counts>> Listeners => _byListener.OrderBy(e => e.Key, StringComparer.Ordinal);

    /// <summary>Writes the two counter families in the Prometheus text format; nothing before any <c>Parse</c> step ran.</summary>
    public void WriteMetrics(StringBuilder text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_byListener.IsEmpty)
        {
            return;
        }

        Family(text, "socketdaemon_messages_parsed_total", "Messages a Parse step read as syslog or JSON.", static c => c.Parsed);
        Family(text, "socketdaemon_parse_errors_total", "Messages a Parse step could not read in its format: kept whole, marked ParseError.", static c => c.Errors);
    }

    private void Family(StringBuilder text, string name, string help, Func<Counts, long> value)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n");
        foreach (var (listener, counts) in Listeners)
        {
            var label = listener.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            text.Append(CultureInfo.InvariantCulture, $"{name}{{listener=\"{label}\"}} {value(counts)}\n");
        }
    }

    /// <summary>One listener's counts.</summary>
    public sealed class Counts
    {
        private long _parsed;
        private long _errors;

        /// <summary>Messages read as syslog or JSON.</summary>
        public long Parsed => Volatile.Read(ref _parsed);

        /// <summary>Messages not of the step's format.</summary>
        public long Errors => Volatile.Read(ref _errors);

        internal void AddParsed() => Interlocked.Increment(ref _parsed);

        internal void AddError() => Interlocked.Increment(ref _errors);
    }
}
