namespace SocketDaemon.Syslog;

/// <summary>
/// Writes a sender's timestamp in one RFC 3339 form, <c>yyyy-MM-ddTHH:mm:ss[.ffffff]±hh:mm</c>: the fraction as six
/// digits when the sender gave one (padded, or cut after the microseconds), <c>Z</c> as <c>+00:00</c>.
/// </summary>
/// <remarks>
/// A BSD (RFC 3164) timestamp, <c>Mmm dd hh:mm:ss</c>, has no year and no zone. As syslog-ng does
/// (<c>determine_year_for_month</c> in <c>lib/timeutils/wallclocktime.c</c>), the year is the receive year, except a
/// December message received in January (the previous year) and a January message received in December (the next);
/// the zone is the daemon's local one, with its offset at the message's own time (daylight saving included).
/// An ISO timestamp without an offset is read in the same zone.
/// </remarks>
internal static class SyslogTimestamp
{
    /// <summary>The longest form written: <c>yyyy-MM-ddTHH:mm:ss.ffffff+hh:mm</c>.</summary>
    public const int MaxLength = 32;

    private static ReadOnlySpan<byte> Months => "JanFebMarAprMayJunJulAugSepOctNovDec"u8;

    /// <summary>
    /// Writes <paramref name="timestamp"/> (BSD or ISO) into <paramref name="destination"/> (at least <see cref="MaxLength"/>
    /// bytes), reading a BSD one against <paramref name="receivedAt"/> in <paramref name="zone"/>.
    /// </summary>
    /// <returns>The number of bytes written; 0 when it is not a date and time that exists (then nothing is written).</returns>
    public static int Write(ReadOnlySpan<byte> timestamp, DateTimeOffset receivedAt, TimeZoneInfo zone, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return timestamp.Length >= 19 && timestamp[4] == (byte)'-'
            ? WriteIso(timestamp, zone, destination)
            : WriteBsd(timestamp, receivedAt, zone, destination);
    }

    // "Mmm dd hh:mm:ss", "Mmm  d hh:mm:ss" or "Mmm d hh:mm:ss", as Rfc3164Parser accepts it.
    private static int WriteBsd(ReadOnlySpan<byte> s, DateTimeOffset receivedAt, TimeZoneInfo zone, Span<byte> destination)
    {
        if (s.Length is < 14 or > 15 || s[3] != (byte)' ')
        {
            return 0;
        }

        var month = Month(s[..3]);
        var i = s[4] == (byte)' ' ? 5 : 4;
        var day = s.Length - i == 11 ? Number(s.Slice(i, 2)) : s.Length - i == 10 ? Number(s.Slice(i, 1)) : -1;
        var time = s[^8..];
        if (month == 0 || day < 1 || s[^9] != (byte)' ' || time[2] != (byte)':' || time[5] != (byte)':')
        {
            return 0;
        }

        var hour = Number(time[..2]);
        var minute = Number(time.Slice(3, 2));
        var second = Number(time.Slice(6, 2));
        var receivedLocal = TimeZoneInfo.ConvertTime(receivedAt, zone);
        var year = receivedLocal.Year;
        if (month == 12 && receivedLocal.Month == 1)
        {
            year--;
        }
        else if (month == 1 && receivedLocal.Month == 12)
        {
            year++;
        }

        if (!Exists(year, month, day, hour, minute, second))
        {
            return 0;
        }

        WriteDateTime(destination, year, month, day, hour, minute, second);
        return 19 + WriteOffset(zone.GetUtcOffset(new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Unspecified)), destination[19..]);
    }

    // "yyyy-mm-ddThh:mm:ss", an optional fraction, then "Z", "±hh:mm" or nothing (the local zone).
    private static int WriteIso(ReadOnlySpan<byte> s, TimeZoneInfo zone, Span<byte> destination)
    {
        if (s[7] != (byte)'-' || (s[10] | 0x20) != (byte)'t' || s[13] != (byte)':' || s[16] != (byte)':')
        {
            return 0;
        }

        var year = Number(s[..4]);
        var month = Number(s.Slice(5, 2));
        var day = Number(s.Slice(8, 2));
        var hour = Number(s.Slice(11, 2));
        var minute = Number(s.Slice(14, 2));
        var second = Number(s.Slice(17, 2));
        if (year < 1 || !Exists(year, month, day, hour, minute, second))
        {
            return 0;
        }

        // Checked digit by digit above: copied as they are, with RFC 3339's uppercase "T".
        s[..19].CopyTo(destination);
        destination[10] = (byte)'T';
        var written = 19;
        var rest = s[19..];
        if (!rest.IsEmpty && rest[0] == (byte)'.')
        {
            var digits = rest[1..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            digits = digits < 0 ? rest.Length - 1 : digits;
            if (digits == 0)
            {
                return 0;
            }

            destination[written++] = (byte)'.';
            var copied = Math.Min(digits, 6);
            rest.Slice(1, copied).CopyTo(destination[written..]);
            destination.Slice(written + copied, 6 - copied).Fill((byte)'0');
            written += 6;
            rest = rest[(1 + digits)..];
        }

        if (rest.IsEmpty)
        {
            return written + WriteOffset(zone.GetUtcOffset(new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Unspecified)), destination[written..]);
        }

        if (rest.Length == 1 && (rest[0] | 0x20) == (byte)'z')
        {
            "+00:00"u8.CopyTo(destination[written..]);
            return written + 6;
        }

        if (rest.Length != 6 || rest[0] is not ((byte)'+' or (byte)'-') || rest[3] != (byte)':'
            || Number(rest.Slice(1, 2)) is < 0 or > 23 || Number(rest.Slice(4, 2)) is < 0 or > 59)
        {
            return 0;
        }

        rest.CopyTo(destination[written..]);
        return written + 6;
    }

    private static bool Exists(int year, int month, int day, int hour, int minute, int second) =>
        year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
        && hour is >= 0 and <= 23 && minute is >= 0 and <= 59 && second is >= 0 and <= 60;

    // 1 (January) to 12, or 0 when not a month's name.
    private static int Month(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < Months.Length; i += 3)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, Months.Slice(i, 3)))
            {
                return (i / 3) + 1;
            }
        }

        return 0;
    }

    // The decimal value of digits; -1 when one is not a digit.
    private static int Number(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var b in digits)
        {
            if (!SyslogParser.IsDigit(b))
            {
                return -1;
            }

            value = (value * 10) + (b - '0');
        }

        return value;
    }

    private static void WriteDateTime(Span<byte> d, int year, int month, int day, int hour, int minute, int second)
    {
        Digits(d[..4], year);
        d[4] = (byte)'-';
        Digits(d.Slice(5, 2), month);
        d[7] = (byte)'-';
        Digits(d.Slice(8, 2), day);
        d[10] = (byte)'T';
        Digits(d.Slice(11, 2), hour);
        d[13] = (byte)':';
        Digits(d.Slice(14, 2), minute);
        d[16] = (byte)':';
        Digits(d.Slice(17, 2), second);
    }

    private static int WriteOffset(TimeSpan offset, Span<byte> d)
    {
        var minutes = (int)(offset.Ticks / TimeSpan.TicksPerMinute);
        d[0] = minutes < 0 ? (byte)'-' : (byte)'+';
        minutes = Math.Abs(minutes);
        Digits(d.Slice(1, 2), minutes / 60);
        d[3] = (byte)':';
        Digits(d.Slice(4, 2), minutes % 60);
        return 6;
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
