using System.Buffers;
using System.Net;
using System.Text;
using SocketDaemon.Proxy;
using SocketDaemon.Tests.Framing;

namespace SocketDaemon.Tests.Proxy;

/// <summary>The PROXY protocol v1 and v2 headers, per haproxy's proxy-protocol.txt.</summary>
public class ProxyHeaderDecoderTests
{
    private static readonly IPEndPoint Source4 = IPEndPoint.Parse("192.0.2.1:56324");
    private static readonly IPEndPoint Destination4 = IPEndPoint.Parse("198.51.100.1:443");
    private static readonly IPEndPoint Source6 = IPEndPoint.Parse("[2001:db8::1]:40000");
    private static readonly IPEndPoint Destination6 = IPEndPoint.Parse("[2001:db8::2]:7777");

    private static (ProxyHeader Header, string After) Decode(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(ProxyHeaderDecoder.TryDecode(buffer, out var header, out var consumed));
        return (header, Encoding.ASCII.GetString(buffer.Slice(consumed).ToArray()));
    }

    [Fact]
    public void A_v1_TCP4_header_names_the_source_and_destination_and_leaves_the_connections_bytes()
    {
        var (header, rest) = Decode([.. "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n"u8, .. "hello\n"u8]);

        Assert.Equal(new ProxyHeader(1, Source4, Destination4), header);
        Assert.Equal("hello\n", rest);
    }

    [Fact]
    public void A_v1_TCP6_header_names_IPv6_addresses() =>
        Assert.Equal(new ProxyHeader(1, Source6, Destination6), Decode(ProxyHeaders.V1(Source6, Destination6)).Header);

    [Fact]
    public void A_v1_UNKNOWN_header_leaves_the_connections_own_peer() =>
        Assert.Equal(new ProxyHeader(1, null, null), Decode("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"u8.ToArray()).Header);

    [Fact]
    public void A_v2_header_for_IPv4_and_IPv6_names_the_source_and_skips_its_TLVs()
    {
        var (v4, rest) = Decode([.. ProxyHeaders.V2(Source4, Destination4, tlvs: 20), .. "after"u8]);
        var (v6, _) = Decode(ProxyHeaders.V2(Source6, Destination6));

        Assert.Equal(new ProxyHeader(2, Source4, Destination4), v4);
        Assert.Equal("after", rest);
        Assert.Equal(new ProxyHeader(2, Source6, Destination6), v6);
    }

    [Fact]
    public void A_v2_LOCAL_header_a_proxys_health_check_leaves_the_connections_own_peer() =>
        Assert.Equal(new ProxyHeader(2, null, null), Decode(ProxyHeaders.V2(null, null)).Header);

    [Fact]
    public void Every_proper_prefix_of_a_header_asks_for_more()
    {
        foreach (var header in new[] { ProxyHeaders.V1(Source4, Destination4), ProxyHeaders.V2(Source6, Destination6, tlvs: 7) })
        {
            for (var length = 0; length < header.Length; length++)
            {
                Assert.False(ProxyHeaderDecoder.TryDecode(SequenceFactory.ByteByByte(header[..length]), out _, out _), $"{length} of {header.Length} bytes");
            }
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", "does not start with a PROXY protocol header")]
    [InlineData("PROXY TCP4 192.0.2.1 198.51.100.1 56324\r\n", "is not 'PROXY TCP4|TCP6")]
    [InlineData("PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n", "'2001:db8::1' is not an IPv4 address")]
    [InlineData("PROXY TCP4 192.0.2.1 198.51.100.1 70000 2\r\n", "'70000' is not a port")]
    [InlineData("PROXY TCP4 192.0.2.1\n", "not printable ASCII")]
    public void A_malformed_v1_header_is_a_clear_error(string text, string reason)
    {
        var error = Assert.Throws<ProxyHeaderException>(() => ProxyHeaderDecoder.TryDecode(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out _, out _));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v1_header_without_CRLF_in_107_bytes_is_refused_from_those_bytes_alone()
    {
        var endless = Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 200));

        var error = Assert.Throws<ProxyHeaderException>(() => ProxyHeaderDecoder.TryDecode(new ReadOnlySequence<byte>(endless), out _, out _));

        Assert.Contains("without CRLF in its first 107 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v2_header_with_a_bad_version_or_an_oversize_block_is_refused_from_its_first_16_bytes()
    {
        var version3 = ProxyHeaders.V2(Source4, Destination4);
        version3[12] = 0x31;
        var oversize = ProxyHeaders.V2(Source4, Destination4)[..16];
        oversize[14] = 0xFF;

        Assert.Contains("version 3", Assert.Throws<ProxyHeaderException>(() => ProxyHeaderDecoder.TryDecode(new ReadOnlySequence<byte>(version3), out _, out _)).Message, StringComparison.Ordinal);
        Assert.Contains("over the limit", Assert.Throws<ProxyHeaderException>(() => ProxyHeaderDecoder.TryDecode(new ReadOnlySequence<byte>(oversize), out _, out _)).Message, StringComparison.Ordinal);
    }
}
