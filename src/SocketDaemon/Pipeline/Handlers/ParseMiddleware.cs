using SocketDaemon.Syslog;
using SocketDaemon.Pipeline.Parsing;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// Reads each message as syslog or JSON (<see cref="ParseOptions.Format"/>) into <see cref="MessageContext.Fields"/>,
/// for the steps after it: routing by <c>Severity</c>, <c>Facility</c>, <c>AppName</c>, <c>Hostname</c>, and
/// <c>Log</c> with <c>Format: json</c>. A message that does not parse goes on whole, marked <c>ParseError</c>: never
/// dropped. Allocates nothing per message.
/// </summary>
public sealed class ParseMiddleware
{
    private readonly MessageDelegate _next;
    private readonly ParseFormat _format;
    private readonly ParseCounters _counters;

    /// <summary>Creates the step in front of <paramref name="next"/>.</summary>
    public ParseMiddleware(MessageDelegate next, ParseOptions options, ParseCounters counters)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(counters);
        _next = next;
        _format = options.Format;
        _counters = counters;
    }

    /// <summary>Parses the message and passes it on.</summary>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Parse(context, _format, _counters);
        return _next(context);
    }

    /// <summary>Parses the message of <paramref name="context"/> in <paramref name="format"/> into its fields.</summary>
    public static void Parse(MessageContext context, ParseFormat format, ParseCounters counters)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(counters);
        var fields = context.Fields;
        var counts = fields.Counts ??= counters.For(context.Listener);
        var bytes = fields.Join(context.Payload);
        SyslogHeader header;
        var parsed = format switch
        {
            ParseFormat.Syslog => SyslogParser.TryParse(bytes, out header),
            ParseFormat.Json => JsonMessageParser.TryParse(bytes, out header),
            _ => SyslogParser.TryParse(bytes, out header) || JsonMessageParser.TryParse(bytes, out header),
        };

        if (parsed)
        {
            fields.Set(header);
            counts.AddParsed();
        }
        else if (format == ParseFormat.Auto)
        {
            fields.SetText();
        }
        else
        {
            fields.SetError();
            counts.AddError();
        }
    }
}
