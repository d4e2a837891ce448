using System.Buffers.Text;
using System.Globalization;

namespace SocketDaemon.SyslogOutput;

/// <summary>
/// Writes a <see cref="SyslogRecord"/> as an RFC 5424 or RFC 3164 message into a caller's buffer, allocating nothing:
/// header fields are cut to their RFC lengths and their non-printable bytes (and spaces) replaced by <c>_</c>, so a
/// field from the wire can never shift the header.
/// </summary>
internal static class SyslogFormatter
{
    private const int MaxHostname = 255;
    private const int MaxAppName = 48;
    private const int MaxProcId = 128;
    private const int MaxMsgId = 32;
    private const int MaxTag = 32;

    private static ReadOnlySpan<byte> Months => "JanFebMarAprMayJunJulAugSepOctNovDec"u8;

    /// <summary>Writes <paramref name="record"/> into <paramref name="destination"/> (at least <see cref="SyslogRecord.MaxLength"/> bytes); returns the length.</summary>
    public static int Format(in SyslogRecord record, SyslogFormat format, Span<byte> destination) =>
        format == SyslogFormat.Rfc3164 ? Format3164(record, destination) : Format5424(record, destination);

    /// <summary>
    /// Writes <paramref name="value"/> as an RFC 5424 PARAM-VALUE body: <c>"</c>, <c>\</c> and <c>]</c> escaped with a
    /// backslash; returns the length (up to twice the input).
    /// </summary>
    public static int EscapeParamValue(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        var n = 0;
        foreach (var b in value)
        {
            if (b is (byte)'"' or (byte)'\\' or (byte)']')
            {
                destination[n++] = (byte)'\\';
            }

            destination[n++] = b;
        }

        return n;
    }

    private static int Format5424(in SyslogRecord record, Span<byte> destination)
    {
        var n = WritePri(record, destination);
        destination[n++] = (byte)'1';
        destination[n++] = (byte)' ';
        if (IsRfc3339(record.Timestamp))
        {
            n += Header(record.Timestamp, 64, destination[n..]);
        }
        else
        {
            // A 3164 timestamp has no year and no zone: the time it was received says more.
            record.ReceivedAt.TryFormat(destination[n..], out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
            n += written;
        }

        destination[n++] = (byte)' ';
        n += Header(record.Hostname, MaxHostname, destination[n..]);
        destination[n++] = (byte)' ';
        n += Header(record.AppName, MaxAppName, destination[n..]);
        destination[n++] = (byte)' ';
        n += Header(record.ProcId, MaxProcId, destination[n..]);
        destination[n++] = (byte)' ';
        n += Header(record.MsgId, MaxMsgId, destination[n..]);
        destination[n++] = (byte)' ';
        if (record.StructuredData.Length > 1 && record.StructuredData[0] == '[')
        {
            record.StructuredData.CopyTo(destination[n..]);
            n += record.StructuredData.Length;
        }
        else
        {
            destination[n++] = (byte)'-';
        }

        if (!record.Message.IsEmpty)
        {
            destination[n++] = (byte)' ';
            record.Message.CopyTo(destination[n..]);
            n += record.Message.Length;
        }

        return n;
    }

    private static int Format3164(in SyslogRecord record, Span<byte> destination)
    {
        var n = WritePri(record, destination);
        n += Timestamp3164(record, destination[n..]);
        destination[n++] = (byte)' ';
        n += Header(record.Hostname, MaxHostname, destination[n..]);
        destination[n++] = (byte)' ';
        if (!record.AppName.IsEmpty)
        {
            n += Header(record.AppName, MaxTag, destination[n..]);
            if (!record.ProcId.IsEmpty)
            {
                destination[n++] = (byte)'[';
                n += Header(record.ProcId, MaxProcId, destination[n..]);
                destination[n++] = (byte)']';
            }

            destination[n++] = (byte)':';
            destination[n++] = (byte)' ';
        }

        record.Message.CopyTo(destination[n..]);
        return n + record.Message.Length;
    }

    private static int WritePri(in SyslogRecord record, Span<byte> destination)
    {
        destination[0] = (byte)'<';
        Utf8Formatter.TryFormat((record.Facility * 8) + record.Severity, destination[1..], out var written);
        destination[1 + written] = (byte)'>';
        return written + 2;
    }

    // Mmm dd hh:mm:ss, the day padded with a space as RFC 3164 asks: the sender's, else the time it was received.
    private static int Timestamp3164(in SyslogRecord record, Span<byte> destination)
    {
        var timestamp = record.Timestamp;
        if (timestamp.Length == 15 && timestamp[3] == ' ' && timestamp[6] == ' ')
        {
            timestamp.CopyTo(destination);
            return 15;
        }

        var time = record.ReceivedAt.ToLocalTime();
        if (IsRfc3339(timestamp))
        {
            Span<char> chars = stackalloc char[64];
            var length = Math.Min(timestamp.Length, chars.Length);
            for (var i = 0; i < length; i++)
            {
                chars[i] = (char)timestamp[i];
            }

            if (DateTimeOffset.TryParse(chars[..length], CultureInfo.InvariantCulture, DateTimeStyles.None, out var sent))
            {
                time = sent;
            }
        }

        var clock = time.DateTime;
        Months.Slice((clock.Month - 1) * 3, 3).CopyTo(destination);
        destination[3] = (byte)' ';
        destination[4] = clock.Day < 10 ? (byte)' ' : (byte)('0' + (clock.Day / 10));
        destination[5] = (byte)('0' + (clock.Day % 10));
        destination[6] = (byte)' ';
        clock.TryFormat(destination[7..], out _, "HH:mm:ss", CultureInfo.InvariantCulture);
        return 15;
    }

    private static bool IsRfc3339(ReadOnlySpan<byte> timestamp) =>
        timestamp.Length >= 19 && timestamp[4] == '-' && timestamp[7] == '-' && timestamp[10] == 'T';

    // A header field: at most max printable US-ASCII bytes without spaces; empty is the nil value "-".
    private static int Header(ReadOnlySpan<byte> value, int max, Span<byte> destination)
    {
        if (value.IsEmpty)
        {
            destination[0] = (byte)'-';
            return 1;
        }

        var length = Math.Min(value.Length, max);
        for (var i = 0; i < length; i++)
        {
            var b = value[i];
            destination[i] = b is > 32 and < 127 ? b : (byte)'_';
        }

        return length;
    }
}
