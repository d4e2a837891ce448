using System.Globalization;
using CsCheck;
using System.Text;
using SocketDaemon.Syslog;

namespace SocketDaemon.Tests.Syslog;

/// <summary>
/// The one RFC 3339 form of the JSON lines' <c>timestamp</c> (<see cref="SyslogTimestamp"/>): BSD timestamps get a year
/// and the local zone as syslog-ng gives them; ISO ones get six fraction digits and a numeric offset.
/// </summary>
public class SyslogTimestampTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Theory]
    // A December message received on January 1st is from the year before.
    [InlineData("Dec 31 23:59:59", "2027-01-01T00:00:05Z", "UTC", "2026-12-31T23:59:59+00:00")]
    // A January message received on December 31st is from the year after (a sender's clock a little ahead).
    [InlineData("Jan  1 00:00:01", "2026-12-31T23:59:58Z", "UTC", "2027-01-01T00:00:01+00:00")]
    // Any other month is from the receive year, even one in the future.
    [InlineData("Nov 30 10:00:00", "2027-01-01T00:00:05Z", "UTC", "2027-11-30T10:00:00+00:00")]
    [InlineData("Feb  1 10:00:00", "2026-12-31T23:59:58Z", "UTC", "2026-02-01T10:00:00+00:00")]
    // February 29th in a leap year.
    [InlineData("Feb 29 12:00:00", "2028-03-01T08:00:00Z", "UTC", "2028-02-29T12:00:00+00:00")]
    // A single-digit day, padded with a space as RFC 3164 says, or not (glibc pads, some senders do not).
    [InlineData("Mar  7 19:06:53", "2026-03-08T00:00:00Z", "UTC", "2026-03-07T19:06:53+00:00")]
    [InlineData("Mar 7 19:06:53", "2026-03-08T00:00:00Z", "UTC", "2026-03-07T19:06:53+00:00")]
    [InlineData("Mar 07 19:06:53", "2026-03-08T00:00:00Z", "UTC", "2026-03-07T19:06:53+00:00")]
    [InlineData("mar  7 19:06:53", "2026-03-08T00:00:00Z", "UTC", "2026-03-07T19:06:53+00:00")]
    // The local zone's offset at the message's own time: summer and winter time.
    [InlineData("Jul 14 10:00:00", "2026-07-14T08:00:01Z", "Europe/Berlin", "2026-07-14T10:00:00+02:00")]
    [InlineData("Dec  3 10:00:00", "2026-12-03T09:00:01Z", "Europe/Berlin", "2026-12-03T10:00:00+01:00")]
    // The receive month is the local one: 23:00 UTC on December 31st is already January in Berlin.
    [InlineData("Dec 31 23:30:00", "2026-12-31T23:00:00Z", "Europe/Berlin", "2026-12-31T23:30:00+01:00")]
    [InlineData("Jan  1 00:30:00", "2026-12-31T23:30:00Z", "Europe/Berlin", "2027-01-01T00:30:00+01:00")]
    // RFC 3339: six fraction digits when the sender gave any, "Z" as "+00:00", "t" and "z" as written by some.
    [InlineData("2003-10-11T22:14:15.003Z", "2026-12-03T06:00:00Z", "UTC", "2003-10-11T22:14:15.003000+00:00")]
    [InlineData("2003-08-24T05:14:15.000003-07:00", "2026-12-03T06:00:00Z", "UTC", "2003-08-24T05:14:15.000003-07:00")]
    [InlineData("1985-04-12T23:20:50.52123456Z", "2026-12-03T06:00:00Z", "UTC", "1985-04-12T23:20:50.521234+00:00")]
    [InlineData("2026-12-03T06:03:08+05:30", "2026-12-03T06:00:00Z", "UTC", "2026-12-03T06:03:08+05:30")]
    [InlineData("2026-12-03t06:03:08.5z", "2026-12-03T06:00:00Z", "UTC", "2026-12-03T06:03:08.500000+00:00")]
    [InlineData("2026-07-23T09:30:45.123+02:00", "2026-12-03T06:00:00Z", "UTC", "2026-07-23T09:30:45.123000+02:00")]
    // An ISO timestamp without an offset is local time.
    [InlineData("2026-12-03T06:03:08", "2026-12-03T06:00:00Z", "Europe/Berlin", "2026-12-03T06:03:08+01:00")]
    public void A_timestamp_is_written_in_one_rfc3339_form(string timestamp, string receivedAt, string zone, string expected)
    {
        Assert.Equal(expected, Write(timestamp, receivedAt, zone));
        Assert.True(DateTimeOffset.TryParse(expected, CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
    }

    [Theory]
    // February 29th of a year that has none: the year guess gives no such day, so it stays as sent.
    [InlineData("Feb 29 12:00:00", "2027-03-01T08:00:00Z")]
    [InlineData("Feb 30 12:00:00", "2028-03-01T08:00:00Z")]
    [InlineData("Apr 31 12:00:00", "2026-05-01T08:00:00Z")]
    [InlineData("Dec  3 24:00:00", "2026-12-03T06:00:00Z")]
    [InlineData("Dec  0 10:00:00", "2026-12-03T06:00:00Z")]
    [InlineData("Foo  3 10:00:00", "2026-12-03T06:00:00Z")]
    [InlineData("2026-13-03T06:03:08Z", "2026-12-03T06:00:00Z")]
    [InlineData("2026-12-03T06:03:08.Z", "2026-12-03T06:00:00Z")]
    [InlineData("2026-12-03T06:03:08+0100", "2026-12-03T06:00:00Z")]
    [InlineData("2026-12-03T06:03:08+25:00", "2026-12-03T06:00:00Z")]
    public void A_date_that_does_not_exist_is_not_converted(string timestamp, string receivedAt)
    {
        Assert.Null(Write(timestamp, receivedAt, "UTC"));
    }

    [Fact]
    public void Any_bytes_either_become_an_rfc3339_timestamp_or_are_left_as_sent()
    {
        Gen.Select(Gen.OneOfConst("", "Dec  3 ", "Feb 29 ", "2026-12-03T", "2026-02-29T"), Gen.Byte.Array[0, 40]).Sample((prefix, rest) =>
        {
            byte[] bytes = [.. Encoding.ASCII.GetBytes(prefix), .. rest];
            var destination = new byte[SyslogTimestamp.MaxLength];
            var length = SyslogTimestamp.Write(bytes, DateTimeOffset.UtcNow, Berlin, destination);
            return length == 0 || DateTimeOffset.TryParseExact(
                Encoding.ASCII.GetString(destination, 0, length), ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
        });
    }

    [Fact]
    public void A_bsd_timestamp_keeps_its_month_day_and_time_and_the_instant_is_the_local_one()
    {
        Gen.DateTime[new DateTime(1971, 1, 1), new DateTime(2099, 12, 1)].Sample(time =>
        {
            time = new DateTime(time.Year, time.Month, time.Day, time.Hour, time.Minute, time.Second, DateTimeKind.Unspecified);
            var received = new DateTimeOffset(time, Berlin.GetUtcOffset(time)).AddHours(1);
            // RFC 3164's form: the day padded with a space.
            var bsd = time.ToString("MMM", CultureInfo.InvariantCulture) + (time.Day < 10 ? "  " : " ")
                + time.Day.ToString(CultureInfo.InvariantCulture) + " " + time.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            var destination = new byte[SyslogTimestamp.MaxLength];
            var length = SyslogTimestamp.Write(Encoding.ASCII.GetBytes(bsd), received, Berlin, destination);
            var written = DateTimeOffset.ParseExact(Encoding.ASCII.GetString(destination, 0, length), "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            return written.DateTime == time && written.Offset == Berlin.GetUtcOffset(time);
        });
    }

    [Fact]
    public void Converting_allocates_nothing()
    {
        var destination = new byte[SyslogTimestamp.MaxLength];
        var received = DateTimeOffset.UtcNow;
        var zone = TimeZoneInfo.Local;
        var bsd = "Dec  3 06:03:08"u8.ToArray();
        var iso = "2026-12-03T06:03:08.123456+01:00"u8.ToArray();
        SyslogTimestamp.Write(bsd, received, zone, destination);
        SyslogTimestamp.Write(iso, received, zone, destination);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            SyslogTimestamp.Write(bsd, received, zone, destination);
            SyslogTimestamp.Write(iso, received, zone, destination);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string? Write(string timestamp, string receivedAt, string zone)
    {
        var destination = new byte[SyslogTimestamp.MaxLength];
        var length = SyslogTimestamp.Write(
            Encoding.ASCII.GetBytes(timestamp),
            DateTimeOffset.Parse(receivedAt, CultureInfo.InvariantCulture),
            zone == "UTC" ? TimeZoneInfo.Utc : Berlin,
            destination);
        return length == 0 ? null : Encoding.ASCII.GetString(destination, 0, length);
    }
}
