using System.Text;
using SocketDaemon.Syslog;

namespace SocketDaemon.Tests.Syslog;

/// <summary>What a parser found, as strings, for table tests: <c>null</c> for an absent field.</summary>
public sealed record ParsedFields(
    MessageFormat Format,
    string? Facility,
    string? Severity,
    string? Timestamp,
    string? Hostname,
    string? AppName,
    string? ProcId,
    string? MsgId,
    string? StructuredData,
    string? Message)
{
    public static ParsedFields? Parse(string message) => Parse(Encoding.UTF8.GetBytes(message));

    public static ParsedFields? Parse(byte[] bytes) => SyslogParser.TryParse(bytes, out var header) ? Of(header, bytes) : null;

    public static ParsedFields Of(in SyslogHeader header, ReadOnlySpan<byte> bytes) => new(
        header.Format,
        header.Facility is { } f ? SyslogKeywords.Facility(f) : null,
        header.Severity is { } s ? SyslogKeywords.Severity(s) : null,
        Text(header.Timestamp, bytes),
        Text(header.Hostname, bytes),
        Text(header.AppName, bytes),
        Text(header.ProcId, bytes),
        Text(header.MsgId, bytes),
        Text(header.StructuredData, bytes),
        Text(header.Message, bytes));

    private static string? Text(FieldRange field, ReadOnlySpan<byte> bytes) => field.IsPresent ? Encoding.UTF8.GetString(field.Of(bytes)) : null;
}
