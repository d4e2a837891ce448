using System.Text;
using CsCheck;
using SocketDaemon.Syslog;
using SocketDaemon.SyslogOutput;

namespace SocketDaemon.Tests.SyslogOutput;

/// <summary>Whatever bytes a message's fields hold, the formatted RFC 5424 message parses back to the same fields.</summary>
public class SyslogFormatterPropertyTests
{
    private static readonly Gen<byte[]> AnyField = Gen.Byte.Array[0, 300];

    [Fact]
    public void Any_field_bytes_format_to_an_rfc5424_message_that_parses_back_to_its_sanitised_fields()
    {
        Gen.Select(Gen.Int[0, 23], Gen.Int[0, 7], Gen.Select(AnyField, AnyField, AnyField, AnyField), Gen.Byte.Array[0, 200])
            .Sample((facility, severity, header, message) =>
            {
                var (host, app, procId, msgId) = header;
                var record = new SyslogRecord
                {
                    Facility = facility,
                    Severity = severity,
                    ReceivedAt = DateTimeOffset.UnixEpoch,
                    Hostname = host,
                    AppName = app,
                    ProcId = procId,
                    MsgId = msgId,
                    Message = message,
                };
                var buffer = new byte[record.MaxLength];
                var length = SyslogFormatter.Format(record, SyslogFormat.Rfc5424, buffer);
                var formatted = buffer.AsSpan(0, length);

                Assert.True(SyslogParser.TryParse(formatted, out var parsed), Encoding.Latin1.GetString(formatted));
                Assert.Equal(facility, parsed.Facility);
                Assert.Equal(severity, parsed.Severity);
                Assert.Equal(Sanitised(host, 255), Get(formatted, parsed.Hostname));
                Assert.Equal(Sanitised(app, 48), Get(formatted, parsed.AppName));
                Assert.Equal(Sanitised(procId, 128), Get(formatted, parsed.ProcId));
                Assert.Equal(Sanitised(msgId, 32), Get(formatted, parsed.MsgId));
                Assert.False(parsed.StructuredData.IsPresent);

                // A leading BOM says the text is UTF-8; it is not part of the message.
                var text = message.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? message[3..] : message;
                Assert.Equal(Convert.ToHexString(text), Convert.ToHexString(parsed.Message.Of(formatted)));
            });
    }

    // What the formatter promises for a header field: cut to its length, spaces and non-printable bytes as '_', empty as nil.
    // A field that is "-" is the nil value, as RFC 5424 says.
    private static string? Sanitised(byte[] value, int max) =>
        value.Length == 0 ? null : Encoding.ASCII.GetString([.. value.Take(max).Select(b => b is > 32 and < 127 ? b : (byte)'_')]) is var s && s == "-" ? null : s;

    private static string? Get(ReadOnlySpan<byte> message, FieldRange field) =>
        field.IsPresent ? Encoding.ASCII.GetString(field.Of(message)) : null;
}
