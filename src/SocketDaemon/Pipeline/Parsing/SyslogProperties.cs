using System.Text;
using Serilog.Events;
using SocketDaemon.Syslog;

namespace SocketDaemon.Pipeline.Parsing;

/// <summary>
/// The fields a <c>Parse</c> step found, as Serilog properties of a <c>Log</c> step with its own <c>OutputTemplate</c>:
/// <c>{Facility}</c>, <c>{Severity}</c> (keywords), <c>{SyslogTimestamp}</c>, <c>{Hostname}</c>, <c>{AppName}</c>,
/// <c>{ProcId}</c>, <c>{MsgId}</c>, <c>{StructuredData}</c>, <c>{SyslogMessage}</c>, and <c>{ParseError}</c>; each only
/// when the message has it. The sender's timestamp and text are named apart from Serilog's own <c>{Timestamp}</c>
/// (when the daemon read the message) and <c>{Message}</c> (the whole text).
/// </summary>
internal static class SyslogProperties
{
    public static void AddTo(MessageContext context, List<LogEventProperty> properties)
    {
        var fields = context.Fields;
        if (!fields.IsParsed)
        {
            return;
        }

        if (fields.ParseError)
        {
            properties.Add(new("ParseError", new ScalarValue(true)));
            return;
        }

        ref readonly var header = ref fields.Header;
        if (header.Facility is { } facility)
        {
            properties.Add(new("Facility", new ScalarValue(SyslogKeywords.Facility(facility))));
        }

        if (header.Severity is { } severity)
        {
            properties.Add(new("Severity", new ScalarValue(SyslogKeywords.Severity(severity))));
        }

        var source = fields.Source(context.Payload);
        Add(properties, "SyslogTimestamp", header.Timestamp, source);
        Add(properties, "Hostname", header.Hostname, source);
        Add(properties, "AppName", header.AppName, source);
        Add(properties, "ProcId", header.ProcId, source);
        Add(properties, "MsgId", header.MsgId, source);
        Add(properties, "StructuredData", header.StructuredData, source);
        Add(properties, "SyslogMessage", header.Message, source);
    }

    private static void Add(List<LogEventProperty> properties, string name, FieldRange field, ReadOnlySpan<byte> source)
    {
        if (field.IsPresent)
        {
            properties.Add(new(name, new ScalarValue(Encoding.UTF8.GetString(field.Of(source)))));
        }
    }
}
