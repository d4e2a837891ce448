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
        if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
        {
            AddProperties(writer, properties);
        }

        if (format.IncludeScopes && provider.Scopes is { } scopes)
        {
            AddScopes(writer, scopes);
        }

        provider.Enqueue(writer.End(formatter(state, exception), exception?.ToString()));
    }

    private static void AddProperties(Rfc5424Writer writer, IReadOnlyList<KeyValuePair<string, object?>> properties)
    {
        for (var i = 0; i < properties.Count; i++)
        {
            var (name, value) = properties[i];
            if (name != "{OriginalFormat}")
            {
                writer.Param(name, Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }
    }

    private static void AddScopes(Rfc5424Writer writer, IExternalScopeProvider scopes)
    {
        string? joined = null;
        scopes.ForEachScope(
            (scope, _) =>
            {
                if (scope is IReadOnlyList<KeyValuePair<string, object?>> values)
                {
                    AddProperties(writer, values);
                }

                var text = Convert.ToString(scope, CultureInfo.InvariantCulture);
                joined = joined is null ? text : joined + " => " + text;
            },
            (object?)null);
        writer.Param("scope", joined);
    }
}
