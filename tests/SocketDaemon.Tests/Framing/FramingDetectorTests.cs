using System.Buffers;
using System.Text;
using SocketDaemon.Framing;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Framing;

public class FramingDetectorTests
{
    private const int Max = 65536;

    private static FramingKind? Detect(byte[] prefix, bool isFinal = false) =>
        FramingDetector.Detect(new ReadOnlySequence<byte>(prefix), Max, isFinal);

    [Theory]
    [InlineData("hello")]
    [InlineData("quit")]
    [InlineData("<34>Oct 11 22:14:15 host su: message")]
    public void A_seed_frame_is_seed(string text) => Assert.Equal(FramingKind.Seed, Detect(RawClient.SeedFrame(text)));

    [Fact]
    public void The_seed_header_alone_decides() => Assert.Equal(FramingKind.Seed, Detect(RawClient.SeedHeader(Max + 1)));

    [Theory]
    [InlineData("hello\n")]
    [InlineData("abc")]
    [InlineData("GET / HTTP/1.0")]
    public void Text_is_lines(string text) => Assert.Equal(FramingKind.Lines, Detect(Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(Max + 2)]
    public void A_length_outside_1_to_max_plus_NUL_is_not_seed(int length) => Assert.Equal(FramingKind.Lines, Detect(RawClient.SeedHeader(length)));

    [Theory]
    [InlineData(new byte[] { 10 })]
    [InlineData(new byte[] { (byte)'h', 10 })]
    [InlineData(new byte[] { 5, 0, 0 })]
    public void Fewer_than_four_bytes_that_could_start_a_seed_header_wait(byte[] prefix) => Assert.Null(Detect(prefix));

    [Fact]
    public void Fewer_than_four_bytes_at_the_end_of_the_stream_are_lines() => Assert.Equal(FramingKind.Lines, Detect([(byte)'h', 10], isFinal: true));

    [Fact]
    public void Nothing_yet_waits() => Assert.Null(Detect([]));
}
