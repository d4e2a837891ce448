namespace SocketDaemon.SyslogOutput;

/// <summary>
/// The fields of one message as a <see cref="SyslogFormatter"/> writes them: spans into the message bytes (a parsed
/// message's fields, or an unparsed message's defaults), empty where a field is absent.
/// </summary>
internal ref struct SyslogRecord
{
    /// <summary>0 <c>kern</c> to 23 <c>local7</c>.</summary>
    public int Facility;

    /// <summary>0 <c>emerg</c> to 7 <c>debug</c>.</summary>
    public int Severity;

    /// <summary>The sender's timestamp as it wrote it (RFC 3339 or RFC 3164); empty for <see cref="ReceivedAt"/>.</summary>
    public ReadOnlySpan<byte> Timestamp;

    /// <summary>When this daemon received the message: the timestamp of a message without one.</summary>
    public DateTimeOffset ReceivedAt;

    public ReadOnlySpan<byte> Hostname;

    public ReadOnlySpan<byte> AppName;

    public ReadOnlySpan<byte> ProcId;

    public ReadOnlySpan<byte> MsgId;

    /// <summary>RFC 5424 STRUCTURED-DATA, escaped as on the wire.</summary>
    public ReadOnlySpan<byte> StructuredData;

    public ReadOnlySpan<byte> Message;

    /// <summary>The longest the formatted message can be.</summary>
    public readonly int MaxLength =>
        160 + Hostname.Length + AppName.Length + ProcId.Length + MsgId.Length + StructuredData.Length + Message.Length;
}
