using Serilog.Events;
using Serilog.Parsing;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// The end of the pipeline: writes each message as one Serilog event to the message log, with the message text and
/// where it came from as properties.
/// </summary>
public sealed class LogHandler
{
    /// <summary>The line every message becomes unless a step sets its own template.</summary>
    public const string DefaultOutputTemplate = "{Timestamp:yyyy-MM-ddTHH:mm:ss.ffffffzzz} {Listener} [{Peer}] #{ConnectionId}: {Text:l}{NewLine}";

    // The event's own template only matters to sinks that render it (Seq, JSON): the text, verbatim.
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse("{Text:l}");

    private readonly Serilog.ILogger _log;

    /// <summary>Creates the handler over <paramref name="log"/>.</summary>
    public LogHandler(Serilog.ILogger log)
    {
        ArgumentNullException.ThrowIfNull(log);
        _log = log;
    }

    /// <summary>Writes the message.</summary>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var properties = new[]
        {
            new LogEventProperty("Text", new ScalarValue(context.Text)),
            new LogEventProperty("Listener", new ScalarValue(context.Listener)),
            new LogEventProperty("Peer", new ScalarValue(context.Peer.ToString())),
            new LogEventProperty("ConnectionId", new ScalarValue(context.ConnectionId)),
            new LogEventProperty("Framing", new ScalarValue(context.Framing)),
        };
        _log.Write(new LogEvent(context.ReceivedAt, LogEventLevel.Information, null, Template, properties));
        return ValueTask.CompletedTask;
    }
}
