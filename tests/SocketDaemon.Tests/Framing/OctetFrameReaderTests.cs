using System.Buffers;
using System.Text;
using SocketDaemon.Framing;

namespace SocketDaemon.Tests.Framing;

public class OctetFrameReaderTests
{
    private static readonly OctetFrameReader Reader = new(maxMessageBytes: 100);

    private static List<string> Read(string text) =>
        FrameReading.ReadAll(Reader, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)), final: false);

    [Fact]
    public void Reads_counted_frames_back_to_back() => Assert.Equal(["hello", "two\nlines"], Read("5 hello9 two\nlines"));

    [Fact]
    public void A_frame_split_at_every_byte_is_read_whole()
    {
        var bytes = Encoding.UTF8.GetBytes("11 hello world3 end");

        Assert.Equal(["hello world", "end"], FrameReading.ReadAll(Reader, SequenceFactory.ByteByByte(bytes), final: false));
    }

    [Fact]
    public void An_incomplete_frame_waits() => Assert.Empty(Read("10 short"));

    [Theory]
    [InlineData("x hello", FramingError.BadLength)]
    [InlineData("05 hello", FramingError.BadLength)]
    [InlineData("12a hello", FramingError.BadLength)]
    [InlineData("101 ", FramingError.Oversize)]
    [InlineData("99999999999 ", FramingError.Oversize)]
    public void A_bad_count_is_refused_before_the_message(string text, FramingError expected)
    {
        var error = Assert.Throws<FramingException>(() => Read(text));

        Assert.Equal(expected, error.Error);
    }

    [Fact]
    public void A_frame_cut_off_by_the_end_of_the_connection_is_truncated()
    {
        var error = Assert.Throws<FramingException>(() => FrameReading.ReadAll(Reader, new ReadOnlySequence<byte>("10 cut"u8.ToArray())));

        Assert.Equal(FramingError.Truncated, error.Error);
    }
}
