using System.Buffers;
using SocketDaemon.Framing;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Framing;

public class SeedFrameReaderTests
{
    private static readonly SeedFrameReader Reader = new(maxMessageBytes: 1024);

    [Fact]
    public void Reads_the_classic_frame_and_drops_the_trailing_NUL()
    {
        var input = new ReadOnlySequence<byte>(RawClient.SeedFrame("hello"));

        Assert.True(Reader.TryRead(ref input, out var message));

        Assert.Equal("hello"u8.ToArray(), message.ToArray());
        Assert.True(input.IsEmpty);
    }

    [Fact]
    public void Two_frames_in_one_buffer_are_two_messages()
    {
        var bytes = RawClient.SeedFrame("one").Concat(RawClient.SeedFrame("two")).ToArray();

        Assert.Equal(["one", "two"], FrameReading.ReadAll(Reader, new ReadOnlySequence<byte>(bytes)));
    }

    [Fact]
    public void A_frame_split_at_every_byte_is_read_whole()
    {
        var bytes = RawClient.SeedFrame("split everywhere");

        Assert.Equal(["split everywhere"], FrameReading.ReadAll(Reader, SequenceFactory.ByteByByte(bytes)));
    }

    [Fact]
    public void An_incomplete_frame_waits_for_more_and_consumes_nothing()
    {
        var bytes = RawClient.SeedFrame("incomplete");
        for (var length = 0; length < bytes.Length; length++)
        {
            var input = new ReadOnlySequence<byte>(bytes, 0, length);

            Assert.False(Reader.TryRead(ref input, out _));
            Assert.Equal(length, input.Length);
        }
    }

    [Fact]
    public void A_frame_without_the_NUL_keeps_every_byte()
    {
        byte[] bytes = [.. RawClient.SeedHeader(3), .. "abc"u8.ToArray()];

        Assert.Equal(["abc"], FrameReading.ReadAll(Reader, new ReadOnlySequence<byte>(bytes)));
    }

    [Fact]
    public void A_frame_of_just_the_NUL_is_an_empty_message()
    {
        Assert.Equal([string.Empty], FrameReading.ReadAll(Reader, new ReadOnlySequence<byte>(RawClient.SeedFrame(string.Empty))));
    }

    [Theory]
    [InlineData(0, FramingError.ZeroLength)]
    [InlineData(-1, FramingError.NegativeLength)]
    [InlineData(int.MinValue, FramingError.NegativeLength)]
    [InlineData(1026, FramingError.Oversize)]
    [InlineData(int.MaxValue, FramingError.Oversize)]
    public void A_bad_length_is_refused_from_the_header_alone(int length, FramingError expected)
    {
        // Only the header: the reader must not wait for (or allocate) a body it will never accept.
        var input = new ReadOnlySequence<byte>(RawClient.SeedHeader(length));

        var error = Assert.Throws<FramingException>(() => Reader.TryRead(ref input, out _));

        Assert.Equal(expected, error.Error);
    }

    [Fact]
    public void The_longest_allowed_message_counts_its_NUL_beyond_the_limit()
    {
        var text = new string('x', 1024);

        Assert.Equal([text], FrameReading.ReadAll(Reader, new ReadOnlySequence<byte>(RawClient.SeedFrame(text))));
    }

    [Fact]
    public void A_frame_cut_off_by_the_end_of_the_stream_is_truncated()
    {
        var bytes = RawClient.SeedFrame("cut off")[..7];

        var error = Assert.Throws<FramingException>(() => FrameReading.ReadAll(Reader, new ReadOnlySequence<byte>(bytes)));

        Assert.Equal(FramingError.Truncated, error.Error);
    }
}
