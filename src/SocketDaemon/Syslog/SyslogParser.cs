using System.Buffers;

namespace SocketDaemon.Syslog;

/// <summary>
/// Parses a syslog message: RFC 5424 when it says so (<c>&lt;PRI&gt;1 </c> and a timestamp or <c>-</c>), else
/// RFC 3164 with the variants real senders write (<see cref="Rfc3164Parser"/>). Pure functions over the bytes: nothing
/// is allocated or copied, the fields are ranges into the bytes.
/// </summary>
public static class SyslogParser
{
    /// <summary>The largest PRI: facility 23 (<c>local7</c>), severity 7 (<c>debug</c>).</summary>
    public const int MaxPri = 191;

    /// <summary>
    /// Parses <paramref name="message"/>. Returns <see langword="false"/> when it is not syslog: a bad PRI, an
    /// RFC 5424 header that breaks the grammar, or text with neither PRI nor timestamp.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out SyslogHeader header)
    {
        header = default;
        var position = 0;
        if (!message.IsEmpty && message[0] == (byte)'<')
        {
            if (!TryParsePri(message, ref position, out var pri))
            {
                return false;
            }

            header.Facility = pri >> 3;
            header.Severity = pri & 7;
            if (Rfc5424Parser.Claims(message, position))
            {
                return Rfc5424Parser.TryParse(message, position, ref header);
            }

            return Rfc3164Parser.TryParse(message, position, hasPri: true, ref header);
        }

        return Rfc3164Parser.TryParse(message, position, hasPri: false, ref header);
    }

    /// <summary>
    /// Parses a message that may lie in several segments: joined into <paramref name="scratch"/> first when it does
    /// (then the ranges are into <paramref name="scratch"/>), else parsed where it lies.
    /// </summary>
    public static bool TryParse(in ReadOnlySequence<byte> message, Span<byte> scratch, out SyslogHeader header)
    {
        if (message.IsSingleSegment)
        {
            return TryParse(message.FirstSpan, out header);
        }

        message.CopyTo(scratch);
        return TryParse(scratch[..(int)message.Length], out header);
    }

    // "<" 1*3DIGIT ">", at most 191.
    private static bool TryParsePri(ReadOnlySpan<byte> message, ref int position, out int pri)
    {
        pri = 0;
        var i = 1;
        for (; i < message.Length && i <= 4; i++)
        {
            var b = message[i];
            if (b == (byte)'>')
            {
                break;
            }

            if (!IsDigit(b))
            {
                return false;
            }

            pri = (pri * 10) + (b - '0');
        }

        if (i == 1 || i > 4 || i >= message.Length || pri > MaxPri)
        {
            return false;
        }

        position = i + 1;
        return true;
    }

    internal static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    // RFC 5424 PRINTUSASCII: %d33-126.
    internal static bool IsPrintUsAscii(byte b) => (uint)(b - 33) <= 126 - 33;
}
