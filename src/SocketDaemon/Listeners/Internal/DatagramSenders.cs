using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// The sender of a datagram from the <c>struct sockaddr</c> recvmsg(2) filled in. A burst comes mostly from one
/// sender, so the last one is kept and a datagram from it allocates nothing.
/// </summary>
internal sealed class DatagramSenders
{
    private const ushort AF_INET = 2, AF_INET6 = 10;

    private readonly byte[] _last = new byte[SocketDaemon.Internal.Libc.AddressBytes];
    private int _lastLength = -1;
    private PeerInfo _lastPeer = PeerInfo.Unknown;

    /// <summary>The peer <paramref name="address"/> names; <see cref="PeerInfo.Unknown"/> for an unnamed Unix sender.</summary>
    public PeerInfo Of(ReadOnlySpan<byte> address)
    {
        if (address.Length == _lastLength && address.SequenceEqual(_last.AsSpan(0, _lastLength)))
        {
            return _lastPeer;
        }

        _lastPeer = Parse(address) is { } endPoint ? PeerInfo.FromEndPoint(endPoint) : PeerInfo.Unknown;
        address.CopyTo(_last);
        _lastLength = address.Length;
        return _lastPeer;
    }

    // struct sockaddr_in { u16 family; be16 port; u8 addr[4]; }, struct sockaddr_in6 { u16 family; be16 port; u32 flowinfo; u8 addr[16]; u32 scope_id; }
    internal static IPEndPoint? Parse(ReadOnlySpan<byte> address)
    {
        if (address.Length < 2)
        {
            return null;
        }

        var family = MemoryMarshal.Read<ushort>(address);
        return family switch
        {
            AF_INET when address.Length >= 8 => new IPEndPoint(new IPAddress(address.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(address[2..])),
            AF_INET6 when address.Length >= 28 => new IPEndPoint(
                new IPAddress(address.Slice(8, 16), MemoryMarshal.Read<uint>(address[24..])),
                BinaryPrimitives.ReadUInt16BigEndian(address[2..])),
            _ => null,
        };
    }
}
