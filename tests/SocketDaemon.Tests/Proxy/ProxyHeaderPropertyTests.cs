using System.Buffers;
using System.Net;
using CsCheck;
using SocketDaemon.Proxy;
using SocketDaemon.Tests.Framing;

namespace SocketDaemon.Tests.Proxy;

/// <summary>The PROXY header decoder over random inputs: it reads untrusted bytes before anything else does.</summary>
public class ProxyHeaderPropertyTests
{
    private static readonly Gen<IPEndPoint> Endpoint4 = Gen.Select(Gen.Byte.Array[4], Gen.Int[0, 65535], (a, p) => new IPEndPoint(new IPAddress(a), p));

    private static readonly Gen<IPEndPoint> Endpoint6 = Gen.Select(Gen.Byte.Array[16], Gen.Int[0, 65535], (a, p) => new IPEndPoint(new IPAddress(a), p));

    private static readonly Gen<(byte[] Header, ProxyHeader Expected)> AnyHeader = Gen.OneOf(
        Gen.Select(Endpoint4, Endpoint4, (s, d) => (ProxyHeaders.V1(s, d), new ProxyHeader(1, s, d))),
        Gen.Select(Endpoint6, Endpoint6, (s, d) => (ProxyHeaders.V1(s, d), new ProxyHeader(1, s, d))),
        Gen.Select(Endpoint4, Endpoint4, Gen.Int[0, 300], (s, d, t) => (ProxyHeaders.V2(s, d, t), new ProxyHeader(2, s, d))),
        Gen.Select(Endpoint6, Endpoint6, Gen.Int[0, 300], (s, d, t) => (ProxyHeaders.V2(s, d, t), new ProxyHeader(2, s, d))));

    [Fact]
    public void Any_split_of_a_valid_header_decodes_the_same_and_consumes_exactly_it() =>
        Gen.Select(AnyHeader, Gen.Byte.Array[0, 40], Gen.Int[0, 400].Array[0, 8]).Sample((header, rest, cuts) =>
        {
            var bytes = (byte[])[.. header.Header, .. rest];
            var buffer = SequenceFactory.Split(bytes, cuts);

            Assert.True(ProxyHeaderDecoder.TryDecode(buffer, out var decoded, out var consumed));
            Assert.Equal(header.Expected, decoded);
            Assert.Equal(header.Header.Length, buffer.Slice(0, consumed).Length);
        }, iter: 1000);

    [Fact]
    public void Random_bytes_give_a_header_more_please_or_a_ProxyHeaderException_and_nothing_else()
    {
        // Plain random bytes fail at the first byte; a valid start sends the decoder deeper.
        var starts = Gen.OneOf(
            Gen.Const(Array.Empty<byte>()),
            Gen.Const(ProxyHeaders.V2Signature),
            Gen.Const("PROXY "u8.ToArray()),
            Gen.Const("PROXY TCP4 "u8.ToArray()),
            Gen.Const((byte[])[.. ProxyHeaders.V2Signature, 0x21]));
        Gen.Select(starts, Gen.Byte.Array[0, 200], Gen.Int[0, 300].Array[0, 6]).Sample((start, random, cuts) =>
        {
            var bytes = (byte[])[.. start, .. random];
            var buffer = SequenceFactory.Split(bytes, cuts);
            try
            {
                if (ProxyHeaderDecoder.TryDecode(buffer, out var header, out var consumed))
                {
                    Assert.NotNull(header);
                    Assert.InRange(buffer.Slice(0, consumed).Length, 1, bytes.Length);
                }
            }
            catch (ProxyHeaderException)
            {
            }
        }, iter: 5000);
    }
}
