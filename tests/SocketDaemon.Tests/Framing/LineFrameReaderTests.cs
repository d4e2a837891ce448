using System.Buffers;
using System.Text;
using SocketDaemon.Framing;

namespace SocketDaemon.Tests.Framing;

public class LineFrameReaderTests
{
    private static readonly LineFrameReader Reader = new(maxMessageBytes: 16);

    private static List<string> Read(string text, bool final = true) =>
        FrameReading.ReadAll(Reader, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)), final);

    [Fact]
    public void Each_line_is_a_message() => Assert.Equal(["one", "two"], Read("one\ntwo\n"));

    [Fact]
    public void A_trailing_carriage_return_is_dropped() => Assert.Equal(["dos", "unix"], Read("dos\r\nunix\n"));

    [Fact]
    public void An_empty_line_is_an_empty_message() => Assert.Equal(["a", string.Empty, "b"], Read("a\n\nb\n"));

    [Fact]
    public void A_last_line_without_newline_ends_with_the_connection() => Assert.Equal(["first", "last"], Read("first\nlast"));

    [Fact]
    public void A_partial_line_waits_while_the_connection_is_open() => Assert.Equal(["first"], Read("first\npart", final: false));

    [Fact]
    public void Lines_split_at_every_byte_are_read_whole()
    {
        var bytes = Encoding.UTF8.GetBytes("split\r\nat every\nbyte\n");

        Assert.Equal(["split", "at every", "byte"], FrameReading.ReadAll(Reader, SequenceFactory.ByteByByte(bytes)));
    }

    [Fact]
    public void A_line_at_the_limit_is_accepted_with_or_without_CR()
    {
        var sixteen = new string('x', 16);

        Assert.Equal([sixteen, sixteen], Read(sixteen + "\n" + sixteen + "\r\n"));
    }

    [Fact]
    public void A_line_over_the_limit_is_oversize()
    {
        var error = Assert.Throws<FramingException>(() => Read(new string('x', 17) + "\n"));

        Assert.Equal(FramingError.Oversize, error.Error);
    }

    [Fact]
    public void Bytes_past_the_limit_without_newline_are_oversize_before_the_line_ends()
    {
        var error = Assert.Throws<FramingException>(() => Read(new string('x', 40), final: false));

        Assert.Equal(FramingError.Oversize, error.Error);
    }
}
