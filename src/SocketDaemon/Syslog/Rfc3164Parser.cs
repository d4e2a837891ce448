namespace SocketDaemon.Syslog;

/// <summary>
/// BSD syslog (<see href="https://www.rfc-editor.org/rfc/rfc3164#section-4.1"/>) as real senders write it:
/// <list type="bullet">
/// <item><c>&lt;PRI&gt;Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG</c>, the RFC's form (day padded with a space or not);</item>
/// <item>the same without HOSTNAME, as <c>/dev/log</c> clients (glibc <c>syslog(3)</c>, <c>logger</c>) send it;</item>
/// <item>an RFC 3339 timestamp in place of the BSD one, as rsyslog's forwarding templates write it;</item>
/// <item>no timestamp at all: <c>&lt;PRI&gt;TAG: MSG</c> or <c>&lt;PRI&gt;MSG</c>, as Python's <c>SysLogHandler</c> sends;</item>
/// <item>no PRI, when a timestamp follows (the PRI is then unknown, not RFC 3164's guess of <c>user.notice</c>).</item>
/// </list>
/// A TAG is recognised only as <c>name:</c>, <c>name[pid]:</c> or <c>name[pid]</c> followed by a space, so
/// free text is never cut into a program name; a HOSTNAME only between a timestamp and such a TAG, or a timestamp and
/// the text.
/// </summary>
internal static class Rfc3164Parser
{
    private const int MaxTagLength = 128;
    private const int MaxHostnameLength = 255;

    private static ReadOnlySpan<byte> Months => "JanFebMarAprMayJunJulAugSepOctNovDec"u8;

    public static bool TryParse(ReadOnlySpan<byte> message, int position, bool hasPri, ref SyslogHeader header)
    {
        // "<38> Mar  7 19:06:53": some senders put a space after the PRI (rsyslog's parsertest-parse-3164-buggyday).
        if (hasPri && position + 1 < message.Length && message[position] == (byte)' ' && BsdTimestampLength(message[(position + 1)..]) > 0)
        {
            position++;
        }

        var timestampLength = BsdTimestampLength(message[position..]);
        if (timestampLength == 0)
        {
            timestampLength = IsoTimestampLength(message[position..]);
        }

        if (timestampLength == 0 && !hasPri)
        {
            return false;
        }

        header.Format = MessageFormat.Rfc3164;
        if (timestampLength > 0)
        {
            header.Timestamp = new FieldRange(position, timestampLength);
            position += timestampLength;
            if (position < message.Length)
            {
                // The timestamp ends at a space (or the message).
                position++;
            }

            if (!TryTag(message, ref position, ref header))
            {
                var hostnameLength = HostnameLength(message[position..]);
                if (hostnameLength > 0)
                {
                    header.Hostname = new FieldRange(position, hostnameLength);
                    position += hostnameLength + 1;
                    TryTag(message, ref position, ref header);
                }
            }
        }
        else if (!TryTag(message, ref position, ref header) && hasPri && position < message.Length && message[position] == (byte)' ')
        {
            // "<189> program[pid]: message", with a space after the PRI (syslog-ng's test_syslog_format.c): only a
            // tag after it makes the space part of the header; else it stays the message's.
            var afterSpace = position + 1;
            if (TryTag(message, ref afterSpace, ref header))
            {
                position = afterSpace;
            }
        }

        position = Math.Min(position, message.Length);
        header.Message = new FieldRange(position, message.Length - position);
        return true;
    }

    // "Mmm dd hh:mm:ss" or "Mmm d hh:mm:ss", followed by a space or the end; 0 if not one.
    private static int BsdTimestampLength(ReadOnlySpan<byte> s)
    {
        if (s.Length < 14 || !IsMonth(s[..3]) || s[3] != (byte)' ')
        {
            return 0;
        }

        var i = 4;
        if (s[i] == (byte)' ')
        {
            i++;
        }

        if (!SyslogParser.IsDigit(s[i]))
        {
            return 0;
        }

        i++;
        if (SyslogParser.IsDigit(s[i]))
        {
            i++;
        }

        if (s[i] != (byte)' ' || s.Length < i + 9)
        {
            return 0;
        }

        var time = s.Slice(i + 1, 8);
        if (!SyslogParser.IsDigit(time[0]) || !SyslogParser.IsDigit(time[1]) || time[2] != (byte)':'
            || !SyslogParser.IsDigit(time[3]) || !SyslogParser.IsDigit(time[4]) || time[5] != (byte)':'
            || !SyslogParser.IsDigit(time[6]) || !SyslogParser.IsDigit(time[7]))
        {
            return 0;
        }

        var length = i + 9;
        return length == s.Length || s[length] == (byte)' ' ? length : 0;
    }

    private static bool IsMonth(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < Months.Length; i += 3)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, Months.Slice(i, 3)))
            {
                return true;
            }
        }

        return false;
    }

    // "yyyy-mm-ddThh:mm:ss" and what follows up to a space, made of fraction and offset characters; 0 if not one.
    private static int IsoTimestampLength(ReadOnlySpan<byte> s)
    {
        if (s.Length < 19 || s[4] != (byte)'-' || s[7] != (byte)'-' || (s[10] | 0x20) != (byte)'t' || s[13] != (byte)':' || s[16] != (byte)':'
            || !SyslogParser.IsDigit(s[0]) || !SyslogParser.IsDigit(s[3]) || !SyslogParser.IsDigit(s[9]) || !SyslogParser.IsDigit(s[18]))
        {
            return 0;
        }

        var i = 19;
        while (i < s.Length && s[i] != (byte)' ')
        {
            if (!(SyslogParser.IsDigit(s[i]) || s[i] is (byte)'.' or (byte)':' or (byte)'+' or (byte)'-' or (byte)'Z' or (byte)'z'))
            {
                return 0;
            }

            i++;
        }

        return i;
    }

    // A host name, an IPv4 or an IPv6 address, followed by a space; 0 if not one.
    private static int HostnameLength(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length && i <= MaxHostnameLength && IsHostnameByte(s[i]))
        {
            i++;
        }

        return i > 0 && i <= MaxHostnameLength && i < s.Length && s[i] == (byte)' ' ? i : 0;
    }

    private static bool IsHostnameByte(byte b) =>
        (uint)((b | 0x20) - 'a') <= 'z' - 'a' || SyslogParser.IsDigit(b) || b is (byte)'.' or (byte)'-' or (byte)'_' or (byte)':' or (byte)'%';

    // "name:", "name[pid]:" or "name[pid]", followed by a space or the end: sets AppName (and ProcId), moves past it.
    private static bool TryTag(ReadOnlySpan<byte> message, ref int position, ref SyslogHeader header)
    {
        var s = message[Math.Min(position, message.Length)..];
        var i = 0;
        while (i < s.Length && i <= MaxTagLength && s[i] is not ((byte)' ' or (byte)'[' or (byte)':') && s[i] >= 0x21 && s[i] != 0x7f)
        {
            i++;
        }

        if (i == 0 || i > MaxTagLength || i == s.Length)
        {
            return false;
        }

        var tagLength = i;
        FieldRange procId = default;
        var bracketed = false;
        if (s[i] == (byte)'[')
        {
            var start = ++i;
            while (i < s.Length && i - start <= MaxTagLength && s[i] is not ((byte)']' or (byte)' '))
            {
                i++;
            }

            if (i == s.Length || s[i] != (byte)']' || i == start)
            {
                return false;
            }

            procId = new FieldRange(position + start, i - start);
            bracketed = true;
            i++;
        }

        if (i < s.Length && s[i] == (byte)':')
        {
            i++;
        }
        else if (!bracketed)
        {
            return false;
        }

        if (i < s.Length && s[i] != (byte)' ')
        {
            return false;
        }

        header.AppName = new FieldRange(position, tagLength);
        header.ProcId = procId;
        position += Math.Min(i + 1, s.Length);
        return true;
    }
}
