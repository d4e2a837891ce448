using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using SocketDaemon.Client;
using SocketDaemon.Logging;

namespace Serilog.Sinks.SocketDaemon;

/// <summary>
/// Sends the batches Serilog's batching gathers to SocketDaemon and completes when the daemon acknowledges them (or,
/// with a spool, when they are on disk); a failed batch fails the call, and Serilog tries it again.
/// </summary>
internal sealed class SocketDaemonSink(SocketEndpoint endpoint, SocketDaemonClientOptions options, SocketDaemonSink.EntryFormat format, TimeSpan flushTimeout)
    : IBatchedLogEventSink, IAsyncDisposable, IDisposable
{
    private static readonly string[] LevelNames = ["Verbose", "Debug", "Information", "Warning", "Error", "Fatal"];
    private SocketDaemonClient? _client;

    public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        _client ??= await SocketDaemonClient.ConnectAsync(endpoint, options);
        try
        {
            await _client.SendManyAsync(batch.Select(Format));
        }
        catch when (options.Spool is null)
        {
            // The next try starts on a new connection.
            var broken = _client;
            _client = null;
            await broken.DisposeAsync();
            throw;
        }
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_client is null)
        {
            return;
        }

        try
        {
            // With a spool, what the daemon has not acknowledged by then stays on disk for the next start.
            await _client.WaitUntilDeliveredAsync().WaitAsync(flushTimeout);
        }
        catch (TimeoutException)
        {
        }

        await _client.DisposeAsync();
        _client = null;
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal string Format(LogEvent logEvent)
    {
        var level = (int)logEvent.Level;
        var properties = logEvent.Properties;
        var writer = Rfc5424Writer.Begin(format.Facility, Rfc5424Writer.Severity(level), logEvent.Timestamp, format.Host, format.App, format.ProcessId, EventName(properties))
            .Param("level", LevelNames[level])
            .Param("category", properties.TryGetValue("SourceContext", out var source) ? Text(source) : null)
            .Param("eventId", EventId(properties));
        foreach (var (name, value) in properties)
        {
            if (name is not ("SourceContext" or "EventId"))
            {
                writer.Param(name, Text(value));
            }
        }

        return writer.End(logEvent.RenderMessage(CultureInfo.InvariantCulture), logEvent.Exception?.ToString());
    }

    private static string? EventId(IReadOnlyDictionary<string, LogEventPropertyValue> properties) => properties.TryGetValue("EventId", out var value) switch
    {
        false => null,
        // Microsoft.Extensions.Logging's event ids arrive (through Serilog.Extensions.Logging) as { Id, Name }.
        true when value is StructureValue structure => structure.Properties.FirstOrDefault(p => p.Name == "Id") is { } id ? Text(id.Value) : null,
        true => Text(value),
    };

    private static string? EventName(IReadOnlyDictionary<string, LogEventPropertyValue> properties) =>
        properties.TryGetValue("EventId", out var value) && value is StructureValue structure
            && structure.Properties.FirstOrDefault(p => p.Name == "Name") is { } name ? Text(name.Value) : null;

    private static string? Text(LogEventPropertyValue value) => value is ScalarValue scalar
        ? Convert.ToString(scalar.Value, CultureInfo.InvariantCulture)
        : value.ToString(null, CultureInfo.InvariantCulture);

    internal sealed record EntryFormat(int Facility, string Host, string App, int ProcessId);
}
