using System.Buffers;
using System.Text;
using CsCheck;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Tests.Pipeline;

/// <summary>No message can forge a line of the text log, and the escaped text gives back its exact bytes.</summary>
public class LogEscapingTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("a\nFAKE 2026-01-01 forged", @"a\nFAKE 2026-01-01 forged")]
    [InlineData("cr\r lf\n tab\t", @"cr\r lf\n tab\t")]
    [InlineData("\u001b[31mred\u001b[0m", @"\x1b[31mred\x1b[0m")]
    [InlineData(@"C:\path", @"C:\\path")]
    [InlineData("nul\0 del\u007f", @"nul\x00 del\x7f")]
    [InlineData("grüße, 日本, 🎉", "grüße, 日本, 🎉")]
    [InlineData("c1 \u009b csi", @"c1 \xc2\x9b csi")]
    public void Control_bytes_and_backslashes_are_escaped_and_the_rest_kept(string text, string expected)
    {
        Assert.Equal(expected, Escape(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Invalid_utf8_is_written_as_hex_escapes_never_dropped()
    {
        Assert.Equal(@"ok \xff\xfe half \xe6\x97 end \xc3", Escape([.. "ok "u8, 0xFF, 0xFE, .. " half "u8, 0xE6, 0x97, .. " end "u8, 0xC3]));
    }

    [Fact]
    public void Any_bytes_escape_to_one_line_of_valid_utf8_that_unescapes_to_the_same_bytes() =>
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            var escaped = EscapeBytes(bytes);
            Assert.DoesNotContain(escaped, b => b < 0x20 || b == 0x7F);
            Assert.True(System.Text.Unicode.Utf8.IsValid(escaped));
            Assert.Equal(bytes, LogEscaping.Unescape(escaped));
        }, iter: 2000);

    [Fact]
    public void Any_message_becomes_exactly_one_line_of_the_log() =>
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            var context = new MessageContext("tcp", 7, PeerInfo.FromCredentials(1, 2, 3, "evil\nname"), EmptyServices.Instance);
            context.SetMessage(new ReadOnlySequence<byte>(bytes), new DateTimeOffset(2026, 11, 25, 17, 59, 0, TimeSpan.Zero).AddTicks(2292001));
            var line = new byte[MessageLineFormatter.MaxLength(context)];
            var length = MessageLineFormatter.Format(context, line);

            Assert.Equal(length - 1, line.AsSpan(0, length).IndexOfAny((byte)'\n', (byte)'\r'));
            var text = Encoding.UTF8.GetString(line, 0, length);
            Assert.StartsWith(@"2026-11-25T17:59:00.229200+00:00 tcp [pid=1 uid=2 gid=3 comm=evil\nname] #7: ", text, StringComparison.Ordinal);
            Assert.Equal(bytes, LogEscaping.Unescape(Encoding.UTF8.GetBytes(Tests.Infrastructure.MessageLog.TextOf(text.TrimEnd('\n')))));
        }, iter: 500);

    [Theory]
    [InlineData(@"ends with \")]
    [InlineData(@"\q is no escape")]
    [InlineData(@"\x4 short")]
    public void Unescaping_refuses_what_escaping_never_writes(string escaped)
    {
        Assert.Throws<FormatException>(() => LogEscaping.Unescape(Encoding.UTF8.GetBytes(escaped)));
    }

    private static string Escape(byte[] bytes) => Encoding.UTF8.GetString(EscapeBytes(bytes));

    private static byte[] EscapeBytes(byte[] bytes)
    {
        var escaped = new byte[LogEscaping.MaxEscapedLength(bytes.Length)];
        return escaped[..LogEscaping.Escape(bytes, escaped)];
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
