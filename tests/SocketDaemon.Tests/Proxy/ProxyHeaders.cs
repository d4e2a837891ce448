using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketDaemon.Tests.Proxy;

/// <summary>PROXY protocol headers as HAProxy writes them, for tests.</summary>
internal static class ProxyHeaders
{
    public static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static byte[] V1(IPEndPoint source, IPEndPoint destination) =>
        Encoding.ASCII.GetBytes($"PROXY {(source.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6")} {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n");

    /// <summary>A v2 PROXY (or, without a source, LOCAL) header, with <paramref name="tlvs"/> bytes of TLVs after the addresses.</summary>
    public static byte[] V2(IPEndPoint? source, IPEndPoint? destination, int tlvs = 0)
    {
        var v4 = source?.AddressFamily == AddressFamily.InterNetwork;
        var addresses = source is null ? 0 : v4 ? 12 : 36;
        var header = new byte[16 + addresses + tlvs];
        V2Signature.CopyTo(header, 0);
        header[12] = (byte)(source is null ? 0x20 : 0x21);
        header[13] = (byte)(source is null ? 0x00 : v4 ? 0x11 : 0x21);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)(addresses + tlvs));
        if (source is not null)
        {
            var size = v4 ? 4 : 16;
            source.Address.GetAddressBytes().CopyTo(header, 16);
            destination!.Address.GetAddressBytes().CopyTo(header, 16 + size);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + (2 * size)), (ushort)source.Port);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + (2 * size)), (ushort)destination.Port);
        }

        // NOOP TLVs (type 0x04), as padding a proxy may add.
        for (var i = 16 + addresses; i < header.Length; i++)
        {
            header[i] = 0x04;
        }

        if (tlvs >= 3)
        {
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(17 + addresses), (ushort)(tlvs - 3));
        }

        return header;
    }
}
