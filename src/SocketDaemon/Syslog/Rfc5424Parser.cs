namespace SocketDaemon.Syslog;

/// <summary>
/// RFC 5424's grammar after the PRI (<see href="https://www.rfc-editor.org/rfc/rfc5424#section-6"/>):
/// <c>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]</c>, each header field a run of printable
/// US-ASCII or the nil value <c>-</c>.
/// </summary>
internal static class Rfc5424Parser
{
    // A UTF-8 byte order mark: RFC 5424 section 6.4 starts a UTF-8 MSG with it, and it is not part of the text.
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Whether the bytes after the PRI say RFC 5424: version 1, a space, and a timestamp or <c>-</c>.</summary>
    public static bool Claims(ReadOnlySpan<byte> message, int position) =>
        message.Length > position + 2 && message[position] == (byte)'1' && message[position + 1] == (byte)' '
        && (SyslogParser.IsDigit(message[position + 2]) || message[position + 2] == (byte)'-');

    public static bool TryParse(ReadOnlySpan<byte> message, int position, ref SyslogHeader header)
    {
        position += 2;
        if (!TryField(message, ref position, out var timestamp) || (timestamp.IsPresent && !IsTimestamp(timestamp.Of(message)))
            || !TryField(message, ref position, out var hostname)
            || !TryField(message, ref position, out var appName)
            || !TryField(message, ref position, out var procId)
            || !TryField(message, ref position, out var msgId))
        {
            return false;
        }

        if (position >= message.Length)
        {
            return false;
        }

        FieldRange structuredData = default;
        if (message[position] == (byte)'-')
        {
            position++;
        }
        else
        {
            var start = position;
            if (!StructuredDataReader.TrySkip(message, ref position))
            {
                return false;
            }

            structuredData = new FieldRange(start, position - start);
        }

        FieldRange text = default;
        if (position < message.Length)
        {
            if (message[position] != (byte)' ')
            {
                return false;
            }

            position++;
            if (message[position..].StartsWith(Bom))
            {
                position += Bom.Length;
            }

            text = new FieldRange(position, message.Length - position);
        }

        header.Format = MessageFormat.Rfc5424;
        header.Timestamp = timestamp;
        header.Hostname = hostname;
        header.AppName = appName;
        header.ProcId = procId;
        header.MsgId = msgId;
        header.StructuredData = structuredData;
        header.Message = text;
        return true;
    }

    // One header field and the space after it; "-" alone is the nil value (absent).
    private static bool TryField(ReadOnlySpan<byte> message, ref int position, out FieldRange field)
    {
        field = default;
        var start = position;
        // One pass: the field runs to its first byte that is not PRINTUSASCII, which must be the space after it.
        var length = message[start..].IndexOfAnyExceptInRange((byte)33, (byte)126);
        if (length <= 0 || message[start + length] != (byte)' ')
        {
            return false;
        }

        position += length + 1;
        if (length != 1 || message[start] != (byte)'-')
        {
            field = new FieldRange(start, length);
        }

        return true;
    }

    // FULL-DATE "T" FULL-TIME, checked for its shape: "yyyy-mm-ddThh:mm:ss", then fraction and offset characters.
    private static bool IsTimestamp(ReadOnlySpan<byte> value)
    {
        if (value.Length < 20 || value[4] != (byte)'-' || value[7] != (byte)'-' || (value[10] | 0x20) != (byte)'t'
            || value[13] != (byte)':' || value[16] != (byte)':')
        {
            return false;
        }

        foreach (var i in (ReadOnlySpan<int>)[0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
        {
            if (!SyslogParser.IsDigit(value[i]))
            {
                return false;
            }
        }

        var last = value[^1] | 0x20;
        return last == 'z' || SyslogParser.IsDigit(value[^1]);
    }
}
