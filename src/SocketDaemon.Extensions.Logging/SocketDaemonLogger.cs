using Microsoft.Extensions.Logging;
using SocketDaemon.Logging;

namespace SocketDaemon.Extensions.Logging;

/// <summary>
/// Formats an entry on the caller's thread straight into UTF-8 RFC 5424 bytes in a buffer the thread reuses, and
/// copies them into the provider's queue; never waits for the daemon.
/// </summary>
internal sealed class SocketDaemonLogger(string category, SocketDaemonLoggerProvider provider) : ILogger
{
    private const string OriginalFormat = "{OriginalFormat}";

    private readonly byte[] _category = EntryFormat.Param("category", category);

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
        var writer = Rfc5424Utf8Writer.Rent();
        format.Begin(writer, (int)logLevel, DateTime.UtcNow, eventId.Name);
        writer.Write(_category);
        if (eventId.Id != 0)
        {
            writer.WriteParamName("eventId");
            writer.WriteInt32(eventId.Id);
            writer.Write("\""u8);
        }

        var properties = state as IReadOnlyList<KeyValuePair<string, object?>>;
        if (properties is not null)
        {
            WriteProperties(writer, properties, null);
        }

        if (format.IncludeScopes && provider.Scopes is { } scopes)
        {
            WriteScopes(writer, scopes, properties);
        }

        EntryFormat.End(writer, formatter(state, exception), exception?.ToString());
        provider.Enqueue(writer.Framed);
        writer.Return();
    }

    // A scope's value of the same name as one of the entry's own is left out: the entry's is the more precise.
    private static void WriteProperties(Rfc5424Utf8Writer writer, IReadOnlyList<KeyValuePair<string, object?>> properties, IReadOnlyList<KeyValuePair<string, object?>>? entry)
    {
        for (var i = 0; i < properties.Count; i++)
        {
            var (name, value) = properties[i];
            if (name != OriginalFormat && !Contains(entry, name))
            {
                writer.WriteParam(name, value);
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

    // The scopes are gathered once: their named values come first, then the scope field with their text joined.
    private static void WriteScopes(Rfc5424Utf8Writer writer, IExternalScopeProvider scopes, IReadOnlyList<KeyValuePair<string, object?>>? entry)
    {
        scopes.ForEachScope(static (scope, list) => list.Add(scope), writer.Scopes);
        if (writer.Scopes.Count == 0)
        {
            return;
        }

        foreach (var scope in writer.Scopes)
        {
            if (scope is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                WriteProperties(writer, values, entry);
            }
        }

        writer.WriteParamName("scope");
        for (var i = 0; i < writer.Scopes.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(" => "u8);
            }

            writer.WriteEscaped(Convert.ToString(writer.Scopes[i], System.Globalization.CultureInfo.InvariantCulture));
        }

        writer.Write("\""u8);
    }
}
