using System.Globalization;
using Microsoft.Extensions.Logging;
using SocketDaemon.Logging;

namespace SocketDaemon.Extensions.Logging;

/// <summary>Formats an entry on the caller's thread into an RFC 5424 message and queues it; never waits for the daemon.</summary>
internal sealed class SocketDaemonLogger(string category, SocketDaemonLoggerProvider provider) : ILogger
{
    private static readonly string[] LevelNames = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => provider.Scopes?.Push(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(formatter);
        var format = provider.Format;
        var writer = Rfc5424Writer.Begin(format.Facility, Rfc5424Writer.Severity((int)logLevel), DateTimeOffset.UtcNow, format.Host, format.App, format.ProcessId, eventId.Name)
            .Param("level", LevelNames[(int)logLevel])
            .Param("category", category)
            .Param("eventId", eventId.Id == 0 ? null : eventId.Id.ToString(CultureInfo.InvariantCulture));
        var properties = state as IReadOnlyList<KeyValuePair<string, object?>>;
        if (properties is not null)
        {
            AddProperties(writer, properties, null);
        }

        if (format.IncludeScopes && provider.Scopes is { } scopes)
        {
            AddScopes(writer, scopes, properties);
        }

        provider.Enqueue(writer.End(formatter(state, exception), exception?.ToString()));
    }

    // A scope's value of the same name as one of the entry's own is left out: the entry's is the more precise.
    private static void AddProperties(Rfc5424Writer writer, IReadOnlyList<KeyValuePair<string, object?>> properties, IReadOnlyList<KeyValuePair<string, object?>>? entry)
    {
        for (var i = 0; i < properties.Count; i++)
        {
            var (name, value) = properties[i];
            if (name != "{OriginalFormat}" && !Contains(entry, name))
            {
                writer.Param(name, Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }
    }

    private static bool Contains(IReadOnlyList<KeyValuePair<string, object?>>? properties, string name)
    {
        for (var i = 0; i < (properties?.Count ?? 0); i++)
        {
            if (properties![i].Key == name)
            {
                return true;
            }
        }

        return false;
    }

    private static void AddScopes(Rfc5424Writer writer, IExternalScopeProvider scopes, IReadOnlyList<KeyValuePair<string, object?>>? entry)
    {
        string? joined = null;
        scopes.ForEachScope(
            (scope, _) =>
            {
                if (scope is IReadOnlyList<KeyValuePair<string, object?>> values)
                {
                    AddProperties(writer, values, entry);
                }

                var text = Convert.ToString(scope, CultureInfo.InvariantCulture);
                joined = joined is null ? text : joined + " => " + text;
            },
            (object?)null);
        writer.Param("scope", joined);
    }
}
