using System.Buffers;
using System.Text;
using SocketDaemon.Framing;

namespace SocketDaemon.Tests.Framing;

/// <summary>What real syslog senders put around a message, and how the readers leave it out.</summary>
public class SyslogSenderFramingTests
{
    private static List<string> Read(FrameReader reader, string text, bool final = true) =>
        FrameReading.ReadAll(reader, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)), final);

    [Theory]
    [InlineData("6 hello\n", "hello")]
    [InlineData("7 hello\r\n", "hello")]
    [InlineData("1 \n", "")]
    [InlineData("7 hello\n\n", "hello\n")]
    [InlineData("10 two\nlines\n", "two\nlines")]
    [InlineData("5 hello", "hello")]
    public void A_trailing_newline_inside_an_octet_frame_is_not_part_of_the_message(string frame, string expected) =>
        Assert.Equal([expected], Read(new OctetFrameReader(100), frame, final: false));

    [Fact]
    public void An_octet_frame_with_its_CRLF_split_at_every_byte_is_read_the_same()
    {
        var bytes = Encoding.UTF8.GetBytes("7 hello\r\n5 world");

        Assert.Equal(["hello", "world"], FrameReading.ReadAll(new OctetFrameReader(100), SequenceFactory.ByteByByte(bytes), final: false));
    }

    [Fact]
    public void Nul_terminated_messages_read_message_by_message_as_lines() =>
        Assert.Equal(["<14>one", "<14>two", "<14>three"], Read(new LineFrameReader(100), "<14>one\0<14>two\0<14>three\n"));

    [Fact]
    public void Nul_framing_keeps_newlines_inside_a_message_and_drops_a_trailing_one() =>
        Assert.Equal(["first\nsecond line", "x", "last"], Read(new NulFrameReader(100), "first\nsecond line\0x\r\n\0last"));

    [Fact]
    public void Nul_framing_split_at_every_byte_is_read_whole() =>
        Assert.Equal(["a\nb", "c"], FrameReading.ReadAll(new NulFrameReader(100), SequenceFactory.ByteByByte(Encoding.UTF8.GetBytes("a\nb\0c\0"))));

    [Fact]
    public void A_nul_message_over_the_limit_is_oversize() =>
        Assert.Equal(FramingError.Oversize, Assert.Throws<FramingException>(() => Read(new NulFrameReader(10), new string('x', 40), final: false)).Error);

    [Fact]
    public void Auto_takes_a_python_tcp_stream_as_text_read_at_each_nul() =>
        Assert.Equal(FramingKind.Lines, FramingDetector.Detect(new ReadOnlySequence<byte>("<14>hello\0"u8.ToArray()), 65536, isFinal: false));

    [Theory]
    [InlineData("<14>python\0", "<14>python")]
    [InlineData("hello\r\n", "hello")]
    [InlineData("hello\n", "hello")]
    [InlineData("hello\0\n", "hello")]
    [InlineData("in\0side", "in\0side")]
    [InlineData("", "")]
    public void A_datagram_drops_trailing_nul_cr_and_lf(string datagram, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(FrameTrimming.TrimDatagram(Encoding.UTF8.GetBytes(datagram))));
}
