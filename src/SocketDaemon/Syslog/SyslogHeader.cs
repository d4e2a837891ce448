namespace SocketDaemon.Syslog;

/// <summary>
/// The fields a parser found in one message, as ranges into the message bytes it parsed: nothing is copied, and the
/// ranges are valid only over those bytes.
/// </summary>
public struct SyslogHeader
{
    /// <summary>What the message was recognised as.</summary>
    public MessageFormat Format { get; set; }

    /// <summary>The facility (0 <c>kern</c> to 23 <c>local7</c>); <see langword="null"/> without a PRI.</summary>
    public int? Facility { get; set; }

    /// <summary>The severity (0 <c>emerg</c> to 7 <c>debug</c>); <see langword="null"/> without a PRI.</summary>
    public int? Severity { get; set; }

    /// <summary>The sender's timestamp, as it wrote it.</summary>
    public FieldRange Timestamp { get; set; }

    /// <summary>The sender's host name.</summary>
    public FieldRange Hostname { get; set; }

    /// <summary>The program: RFC 5424's APP-NAME, RFC 3164's TAG.</summary>
    public FieldRange AppName { get; set; }

    /// <summary>The process id, or RFC 3164's <c>[pid]</c>.</summary>
    public FieldRange ProcId { get; set; }

    /// <summary>RFC 5424's MSGID.</summary>
    public FieldRange MsgId { get; set; }

    /// <summary>RFC 5424's STRUCTURED-DATA, escaped as on the wire (<see cref="StructuredDataReader"/> reads it).</summary>
    public FieldRange StructuredData { get; set; }

    /// <summary>The text after the header (after a UTF-8 BOM, which is not part of it).</summary>
    public FieldRange Message { get; set; }

    /// <summary>Whether the fields that are strings hold JSON string contents, escapes included (<see cref="MessageFormat.Json"/>).</summary>
    public readonly bool JsonEscaped => Format == MessageFormat.Json;
}
