using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketDaemon.Proxy;

/// <summary>
/// Decodes the PROXY protocol header a load balancer (HAProxy, AWS NLB, nginx) puts before a connection's own bytes:
/// version 1 (<c>PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n</c>) or version 2 (binary), per
/// <see href="https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt"/>. A pure function over bytes: it reads
/// only what it is given and decides as early as the bytes allow.
/// </summary>
public static class ProxyHeaderDecoder
{
    /// <summary>The longest v1 header, CRLF included, as the specification bounds it.</summary>
    public const int MaxV1Bytes = 107;

    /// <summary>
    /// The longest v2 address block (addresses and TLVs) accepted. The specification allows 65535; load balancers send
    /// at most a few hundred bytes, and each waiting connection may hold this much.
    /// </summary>
    public const int MaxV2AddressBytes = 4096;

    private const int V2HeaderBytes = 16;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <summary>Decodes the header at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The connection's first bytes.</param>
    /// <param name="header">The header, when the result is <see langword="true"/>.</param>
    /// <param name="consumed">Where the connection's own bytes begin, when the result is <see langword="true"/>.</param>
    /// <returns><see langword="true"/> for a whole header; <see langword="false"/> when more bytes are needed.</returns>
    /// <exception cref="ProxyHeaderException">The bytes are not a valid header.</exception>
    public static bool TryDecode(in ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out ProxyHeader? header, out SequencePosition consumed)
    {
        header = null;
        consumed = buffer.Start;
        if (buffer.IsEmpty)
        {
            return false;
        }

        Span<byte> start = stackalloc byte[V2HeaderBytes];
        var available = (int)Math.Min(buffer.Length, V2HeaderBytes);
        buffer.Slice(0, available).CopyTo(start);
        start = start[..available];

        if (start[0] == V2Signature[0])
        {
            return TryDecodeV2(buffer, start, out header, out consumed);
        }

        var prefix = Math.Min(available, V1Prefix.Length);
        if (!start[..prefix].SequenceEqual(V1Prefix[..prefix]))
        {
            throw new ProxyHeaderException("the connection does not start with a PROXY protocol header");
        }

        return TryDecodeV1(buffer, out header, out consumed);
    }

    private static bool TryDecodeV2(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> start, out ProxyHeader? header, out SequencePosition consumed)
    {
        header = null;
        consumed = buffer.Start;
        var signature = Math.Min(start.Length, V2Signature.Length);
        if (!start[..signature].SequenceEqual(V2Signature[..signature]))
        {
            throw new ProxyHeaderException("the connection does not start with a PROXY protocol header (bad v2 signature)");
        }

        if (start.Length > 12)
        {
            var versionCommand = start[12];
            if (versionCommand >> 4 != 2)
            {
                throw new ProxyHeaderException($"PROXY v2 header with version {versionCommand >> 4}");
            }

            if ((versionCommand & 0xF) > 1)
            {
                throw new ProxyHeaderException($"PROXY v2 header with unknown command {versionCommand & 0xF}");
            }
        }

        if (start.Length > 13 && (start[13] >> 4 > 3 || (start[13] & 0xF) > 2))
        {
            throw new ProxyHeaderException($"PROXY v2 header with unknown address family and protocol 0x{start[13]:x2}");
        }

        if (start.Length < V2HeaderBytes)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(start[14..]);
        if (length > MaxV2AddressBytes)
        {
            throw new ProxyHeaderException($"PROXY v2 address block of {length} bytes is over the limit of {MaxV2AddressBytes}");
        }

        var family = start[13] >> 4;
        var needed = family switch { 1 => 12, 2 => 36, 3 => 216, _ => 0 };
        var local = (start[12] & 0xF) == 0;
        if (!local && length < needed)
        {
            throw new ProxyHeaderException($"PROXY v2 address block of {length} bytes is too short for its address family (needs {needed})");
        }

        if (buffer.Length < V2HeaderBytes + length)
        {
            return false;
        }

        consumed = buffer.GetPosition(V2HeaderBytes + length);
        if (local || family is 0 or 3)
        {
            // LOCAL: the proxy's own connection (a health check); UNSPEC or UNIX: no IP source to stand for the peer.
            header = new ProxyHeader(2, null, null);
            return true;
        }

        Span<byte> addresses = stackalloc byte[36];
        addresses = addresses[..needed];
        buffer.Slice(V2HeaderBytes, needed).CopyTo(addresses);
        var size = family == 1 ? 4 : 16;
        var source = new IPAddress(addresses[..size]);
        var destination = new IPAddress(addresses.Slice(size, size));
        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * size)..]);
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(addresses[((2 * size) + 2)..]);
        header = new ProxyHeader(2, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        return true;
    }

    private static bool TryDecodeV1(in ReadOnlySequence<byte> buffer, out ProxyHeader? header, out SequencePosition consumed)
    {
        header = null;
        consumed = buffer.Start;
        Span<byte> line = stackalloc byte[MaxV1Bytes];
        var available = (int)Math.Min(buffer.Length, MaxV1Bytes);
        buffer.Slice(0, available).CopyTo(line);
        line = line[..available];

        var bad = line.IndexOfAnyExceptInRange((byte)' ', (byte)'~');
        if (bad >= 0 && (line[bad] != '\r' || (bad + 1 < line.Length && line[bad + 1] != '\n')))
        {
            throw new ProxyHeaderException($"PROXY v1 header with a byte 0x{line[bad]:x2} that is not printable ASCII");
        }

        if (bad < 0 || bad + 1 >= line.Length)
        {
            if (available == MaxV1Bytes)
            {
                throw new ProxyHeaderException($"PROXY v1 header without CRLF in its first {MaxV1Bytes} bytes");
            }

            return false;
        }

        consumed = buffer.GetPosition(bad + 2);
        header = ParseV1(Encoding.ASCII.GetString(line[..bad]));
        return true;
    }

    private static ProxyHeader ParseV1(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length >= 2 && parts[1] == "UNKNOWN")
        {
            // The proxy could not tell (or would not say) where the connection came from; the rest of the line is ignored.
            return new ProxyHeader(1, null, null);
        }

        if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6"))
        {
            throw new ProxyHeaderException($"PROXY v1 header '{line}' is not 'PROXY TCP4|TCP6 SOURCE DESTINATION SPORT DPORT' or 'PROXY UNKNOWN'");
        }

        var family = parts[1] == "TCP4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        return new ProxyHeader(1, EndPoint(parts[2], parts[4], family, line), EndPoint(parts[3], parts[5], family, line));
    }

    private static IPEndPoint EndPoint(string address, string port, AddressFamily family, string line)
    {
        if (!IPAddress.TryParse(address, out var ip) || ip.AddressFamily != family)
        {
            throw new ProxyHeaderException($"PROXY v1 header '{line}': '{address}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        }

        if (port.Length is 0 or > 5 || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > IPEndPoint.MaxPort)
        {
            throw new ProxyHeaderException($"PROXY v1 header '{line}': '{port}' is not a port");
        }

        return new IPEndPoint(ip, number);
    }
}
