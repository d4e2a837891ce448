using System.Text;
using SocketDaemon.SyslogOutput;

namespace SocketDaemon.Tests.SyslogOutput;

public class SyslogFormatterTests
{
    private static readonly DateTimeOffset Received = new(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);

    [Fact]
    public void Rfc5424_keeps_every_parsed_field_and_the_structured_data_as_escaped_on_the_wire()
    {
        var text = Format(SyslogFormat.Rfc5424, facility: 20, severity: 5, timestamp: "2003-10-11T22:14:15.003Z", host: "mymachine.example.com",
            app: "evntslog", procId: "77", msgId: "ID47", sd: "[exampleSDID@32473 iut=\"3\" eventSource=\"Ap\\\"p\\]\"]", message: "An application event");

        Assert.Equal("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 77 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Ap\\\"p\\]\"] An application event", text);
    }

    [Fact]
    public void Rfc5424_writes_nil_values_for_absent_fields_and_the_received_time_without_a_timestamp()
    {
        var text = Format(SyslogFormat.Rfc5424, facility: 1, severity: 5, message: "hello");

        Assert.Equal("<13>1 2026-03-04T05:06:07.890000+00:00 - - - - - hello", text);
    }

    [Fact]
    public void Header_fields_from_the_wire_cannot_shift_the_header()
    {
        var text = Format(SyslogFormat.Rfc5424, facility: 1, severity: 5, host: "a b", app: "x\ny", procId: new string('9', 200), message: "m");

        var fields = text.Split(' ');
        Assert.Equal("a_b", fields[2]);
        Assert.Equal("x_y", fields[3]);
        Assert.Equal(128, fields[4].Length);
        Assert.Equal("m", fields[^1]);
    }

    [Fact]
    public void Rfc3164_writes_the_tag_with_its_pid_and_a_space_padded_day()
    {
        var text = Format(SyslogFormat.Rfc3164, facility: 4, severity: 2, timestamp: "2026-10-01T22:14:15+00:00", host: "mymachine", app: "su", procId: "12", message: "'su root' failed");

        Assert.Equal("<34>Oct  1 22:14:15 mymachine su[12]: 'su root' failed", text);
    }

    [Fact]
    public void Rfc3164_keeps_an_rfc3164_timestamp_as_sent()
    {
        var text = Format(SyslogFormat.Rfc3164, facility: 1, severity: 5, timestamp: "Dec 13 01:02:03", host: "h", app: "app", message: "m");

        Assert.Equal("<13>Dec 13 01:02:03 h app: m", text);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("a]b", "a\\]b")]
    [InlineData("]\"\\", "\\]\\\"\\\\")]
    public void Param_values_escape_quote_backslash_and_bracket(string value, string escaped)
    {
        var destination = new byte[value.Length * 2];
        var length = SyslogFormatter.EscapeParamValue(Encoding.UTF8.GetBytes(value), destination);

        Assert.Equal(escaped, Encoding.UTF8.GetString(destination, 0, length));
    }

    private static string Format(SyslogFormat format, int facility, int severity, string? timestamp = null, string? host = null, string? app = null, string? procId = null, string? msgId = null, string? sd = null, string message = "")
    {
        var record = new SyslogRecord
        {
            Facility = facility,
            Severity = severity,
            ReceivedAt = Received,
            Timestamp = Bytes(timestamp),
            Hostname = Bytes(host),
            AppName = Bytes(app),
            ProcId = Bytes(procId),
            MsgId = Bytes(msgId),
            StructuredData = Bytes(sd),
            Message = Bytes(message),
        };
        var destination = new byte[record.MaxLength];
        var length = SyslogFormatter.Format(record, format, destination);
        return Encoding.UTF8.GetString(destination, 0, length);
    }

    private static byte[] Bytes(string? value) => value is null ? [] : Encoding.UTF8.GetBytes(value);
}
