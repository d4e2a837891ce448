using Serilog.Events;
using Serilog.Parsing;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// The <c>Log</c> step of a step with its own <c>OutputTemplate</c>: writes each message as one Serilog event, with
/// the message text and where it came from as properties. Slower than <see cref="LogHandler"/> (an event, a string
/// and a rendering per message), and the template decides how the text is escaped.
/// </summary>
public sealed class TemplateLogHandler
{
    // The event's own template only matters to sinks that render it (Seq, JSON): the text, verbatim.
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse("{Text:l}");

    private readonly Serilog.ILogger _log;

    /// <summary>Creates the handler over <paramref name="log"/>.</summary>
    public TemplateLogHandler(Serilog.ILogger log)
    {
        ArgumentNullException.ThrowIfNull(log);
        _log = log;
    }

    /// <summary>Writes the message.</summary>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var peer = context.Peer;
        var properties = new List<LogEventProperty>(10)
        {
            new("Text", new ScalarValue(context.Truncated ? context.Text + LogHandler.TruncatedSuffix : context.Text)),
            new("Listener", new ScalarValue(context.Listener)),
            new("Peer", new ScalarValue(peer.ToString())),
            new("ConnectionId", new ScalarValue(context.ConnectionId)),
            new("Framing", new ScalarValue(context.Framing)),
        };

        if (context.Truncated)
        {
            properties.Add(new("Truncated", new ScalarValue(true)));
        }

        // The peer's credentials as properties of their own, for sinks and templates that want them: {Pid}, {Uid}, ...
        if (peer.ProcessId is { } pid)
        {
            properties.Add(new("Pid", new ScalarValue(pid)));
            properties.Add(new("Uid", new ScalarValue(peer.UserId)));
            properties.Add(new("Gid", new ScalarValue(peer.GroupId)));
            properties.Add(new("Comm", new ScalarValue(peer.ProcessName)));
        }

        // On a TLS listener, whoever the client certificate names: {ClientCertificate}.
        if (peer.ClientCertificate is { } subject)
        {
            properties.Add(new("ClientCertificate", new ScalarValue(subject)));
        }

        // Where a forwarded message first entered SocketDaemon: {OriginHost}, {OriginListener}, {OriginPeer}, {OriginReceivedAt}.
        if (context.Origin is { } origin)
        {
            properties.Add(new("OriginHost", new ScalarValue(origin.Host)));
            properties.Add(new("OriginListener", new ScalarValue(origin.Listener)));
            properties.Add(new("OriginPeer", new ScalarValue(origin.Peer)));
            properties.Add(new("OriginReceivedAt", new ScalarValue(origin.ReceivedAt)));
        }

        Parsing.SyslogProperties.AddTo(context, properties);
        _log.Write(new LogEvent(context.ReceivedAt, LogEventLevel.Information, null, Template, properties));
        return ValueTask.CompletedTask;
    }
}
