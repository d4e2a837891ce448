using System.Runtime.InteropServices;

namespace SocketDaemon.Internal;

/// <summary>recvmsg(2) for datagram listeners: the datagram, its sender and the control messages .NET does not return.</summary>
internal static unsafe partial class Libc
{
    /// <summary>socket(7): each datagram carries the socket's running count of dropped datagrams.</summary>
    internal const int SO_RXQ_OVFL = 40;

    /// <summary>socket(7): <c>SO_RCVBUF</c> past <c>net.core.rmem_max</c>, for a process with <c>CAP_NET_ADMIN</c>.</summary>
    internal const int SO_RCVBUFFORCE = 33;

    /// <summary>Room for a <c>struct sockaddr_in6</c> or <c>sockaddr_un</c>.</summary>
    internal const int AddressBytes = 128;

    private const int EAGAIN = 11;

    /// <summary>
    /// Receives one queued datagram without waiting, with its sender's address into <paramref name="address"/> and
    /// the control messages <c>SCM_CREDENTIALS</c> (unix(7), with <c>SO_PASSCRED</c>) and <c>SO_RXQ_OVFL</c>
    /// (socket(7): present once the socket has dropped any).
    /// </summary>
    /// <returns>The datagram's length; -1 when none is queued; -2 when the call failed otherwise.</returns>
    internal static int ReceiveDatagram(SafeHandle socket, Span<byte> buffer, Span<byte> address, out DatagramReceipt receipt)
    {
        receipt = default;
        const int ControlBytes = 128;
        var control = stackalloc byte[ControlBytes];
        fixed (byte* data = buffer)
        fixed (byte* name = address)
        {
            var iov = new IoVec { Base = (nint)data, Length = (nuint)buffer.Length };
            var message = new MsgHdr
            {
                Name = (nint)name,
                NameLength = address.Length,
                Iov = (nint)(&iov),
                IovLength = 1,
                Control = (nint)control,
                ControlLength = ControlBytes,
            };
            var received = RecvMsg(socket, &message, MSG_DONTWAIT);
            if (received < 0)
            {
                return Marshal.GetLastPInvokeError() == EAGAIN ? -1 : -2;
            }

            receipt.Truncated = (message.Flags & MSG_TRUNC) != 0;
            receipt.AddressLength = message.NameLength;

            // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then the data, each padded to size_t (CMSG_NXTHDR).
            var header = sizeof(nuint) + 8;
            var offset = 0;
            while (offset + header <= (int)message.ControlLength)
            {
                var length = (int)*(nuint*)(control + offset);
                if (length < header || offset + length > (int)message.ControlLength)
                {
                    break;
                }

                var level = *(int*)(control + offset + sizeof(nuint));
                var type = *(int*)(control + offset + sizeof(nuint) + 4);
                var value = control + offset + header;
                if (level == SOL_SOCKET && type == SCM_CREDENTIALS && length >= header + 12)
                {
                    receipt.Credentials = (*(int*)value, *(uint*)(value + 4), *(uint*)(value + 8));
                }
                else if (level == SOL_SOCKET && type == SO_RXQ_OVFL && length >= header + 4)
                {
                    receipt.DropCount = *(uint*)value;
                    receipt.HasDropCount = true;
                }

                offset += (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);
            }

            return (int)received;
        }
    }

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSocketOption(SafeHandle socket, int level, int name, uint* value, int* length);

    /// <summary>
    /// The socket's count of dropped datagrams now (<c>SO_MEMINFO</c>, <c>SK_MEMINFO_DROPS</c>): the same counter
    /// <c>SO_RXQ_OVFL</c> reports, read without a datagram to carry it.
    /// </summary>
    internal static bool TryReadDropCount(SafeHandle socket, out uint count)
    {
        const int SO_MEMINFO = 55, SK_MEMINFO_DROPS = 8, SK_MEMINFO_VARS = 9;
        var info = stackalloc uint[SK_MEMINFO_VARS];
        var length = SK_MEMINFO_VARS * sizeof(uint);
        count = 0;
        if (GetSocketOption(socket, SOL_SOCKET, SO_MEMINFO, info, &length) != 0 || length <= SK_MEMINFO_DROPS * sizeof(uint))
        {
            return false;
        }

        count = info[SK_MEMINFO_DROPS];
        return true;
    }

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSocketOption(SafeHandle socket, int level, int name, int* value, int length);

    /// <summary>setsockopt(2) of an int option at <c>SOL_SOCKET</c>.</summary>
    /// <returns>0, or the errno (<c>EPERM</c> is 1).</returns>
    internal static int SetSocketOption(SafeHandle socket, int name, int value) =>
        SetSocketOption(socket, SOL_SOCKET, name, &value, sizeof(int)) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>What recvmsg(2) said about one datagram besides its bytes.</summary>
    internal struct DatagramReceipt
    {
        public bool Truncated;
        public int AddressLength;
        public (int Pid, uint Uid, uint Gid)? Credentials;
        public bool HasDropCount;
        public uint DropCount;
    }
}
