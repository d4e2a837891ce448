using System.Text;
using CsCheck;
using SocketDaemon.Logging;

namespace SocketDaemon.Tests.Client.Logging;

public sealed class Rfc5424Utf8WriterTests
{
    [Fact]
    public void The_utf8_entry_is_byte_for_byte_the_string_writers_text_encoded()
    {
        Gen.Select(Gen.String, Gen.String, Gen.String, Gen.Int[0, 5], Gen.Long[0, DateTime.MaxValue.Ticks]).Sample((name, value, message, level, ticks) =>
        {
            var utc = new DateTime(ticks, DateTimeKind.Utc);
            var expected = Rfc5424Writer.Begin(16, Rfc5424Writer.Severity(level), utc, "web 1", "orders-api", 42, message)
                .Param("level", Levels[level])
                .Param("category", value)
                .Param(name, value)
                .Param("n", "17")
                .End(message, name);

            var format = new EntryFormat(16, "web 1", "orders-api", 42, includeScopes: true);
            var writer = Rfc5424Utf8Writer.Rent();
            format.Begin(writer, level, utc, message);
            writer.Write(EntryFormat.Param("category", value));
            writer.WriteParam(name, value);
            writer.WriteParam("n", 17);
            EntryFormat.End(writer, message, name);
            var actual = writer.Written.ToArray();
            writer.Return();

            Assert.Equal(Encoding.UTF8.GetBytes(expected), actual);
        });
    }

    [Fact]
    public void A_value_that_formats_with_a_character_to_escape_is_escaped()
    {
        var writer = Rfc5424Utf8Writer.Rent();
        writer.WriteParam("v", new Bracketed());
        Assert.Equal(@" v=""[a\]\""""", Encoding.UTF8.GetString(writer.Written));
        writer.Return();
    }

    [Fact]
    public void The_framed_entry_starts_with_its_length_as_a_native_batch_message_does()
    {
        var writer = Rfc5424Utf8Writer.Rent();
        writer.WriteText("héllo");
        Assert.Equal(new byte[] { 0, 0, 0, 6, (byte)'h', 0xC3, 0xA9, (byte)'l', (byte)'l', (byte)'o' }, writer.Framed.ToArray());
        writer.Return();
    }

    private static readonly string[] Levels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    private sealed class Bracketed : IUtf8SpanFormattable
    {
        public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            var copied = "[a]\""u8.TryCopyTo(utf8Destination);
            bytesWritten = copied ? 4 : 0;
            return copied;
        }

        public override string ToString() => "[a]\"";
    }
}
