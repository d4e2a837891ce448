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
    [InlineData("GETTING there\n")]
    [InlineData("2026-11-25 12:00:00 starts with digits\n")]
    [InlineData("0 is no octet count\n")]
    public void Text_is_lines(string text) => Assert.Equal(FramingKind.Lines, Detect(Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("GET /\n")]
    [InlineData("HEAD /status HTTP/1.0\r\n")]
    public void GET_and_HEAD_are_http(string text) => Assert.Equal(FramingKind.Http, Detect(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData("5 hello")]
    [InlineData("123 <34>1 2026-11-25T00:00:00Z host app - - - text")]
    public void A_decimal_count_and_a_space_is_octet(string text) => Assert.Equal(FramingKind.Octet, Detect(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void The_native_preface_is_native() => Assert.Equal(FramingKind.Native, Detect([0, (byte)'S', (byte)'D', (byte)'N', (byte)'P', 1]));

    [Theory]
    [InlineData("G")]
    [InlineData("GE")]
    [InlineData("HEA")]
    [InlineData("12")]
    [InlineData("1234567")]
    public void A_prefix_of_a_protocol_token_waits(string text) => Assert.Null(Detect(Encoding.ASCII.GetBytes(text)));

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
