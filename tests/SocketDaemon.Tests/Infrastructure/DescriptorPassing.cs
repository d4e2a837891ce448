using System.Net.Sockets;
using System.Runtime.InteropServices;
using SocketDaemon.Internal;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>The libc calls a test needs to play systemd's file-descriptor store: SCM_RIGHTS, close-on-exec, SIOCOUTQ.</summary>
public static unsafe partial class DescriptorPassing
{
    private const int MSG_DONTWAIT = 0x40;
    private const int MSG_CMSG_CLOEXEC = 0x40000000;
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;

    /// <summary>
    /// Receives one datagram without waiting, with the descriptors sent along in <c>SCM_RIGHTS</c> (close-on-exec,
    /// so that no other child process of the tests inherits them).
    /// </summary>
    /// <returns>The datagram's length, or -1 when none is queued.</returns>
    public static int Receive(Socket socket, Span<byte> buffer, List<int> descriptors)
    {
        var control = stackalloc byte[512];
        fixed (byte* data = buffer)
        {
            var iov = new Libc.IoVec { Base = (nint)data, Length = (nuint)buffer.Length };
            var message = new Libc.MsgHdr { Iov = (nint)(&iov), IovLength = 1, Control = (nint)control, ControlLength = 512 };
            var received = RecvMsg(socket.SafeHandle, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
            if (received < 0)
            {
                return -1;
            }

            // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; unsigned char data[]; }, each padded to size_t.
            var header = sizeof(nuint) + 8;
            for (nuint offset = 0; offset + (nuint)header <= message.ControlLength;)
            {
                var cmsg = control + offset;
                var length = *(nuint*)cmsg;
                if (length < (nuint)header)
                {
                    break;
                }

                if (*(int*)(cmsg + sizeof(nuint)) == SOL_SOCKET && *(int*)(cmsg + sizeof(nuint) + 4) == SCM_RIGHTS)
                {
                    for (var i = header; i + sizeof(int) <= (int)length; i += sizeof(int))
                    {
                        descriptors.Add(*(int*)(cmsg + i));
                    }
                }

                offset += (length + (nuint)sizeof(nuint) - 1) & ~(nuint)(sizeof(nuint) - 1);
            }

            return (int)received;
        }
    }

    /// <summary>Sets or clears close-on-exec: a descriptor a child process must inherit loses it.</summary>
    public static void SetCloseOnExec(int fd, bool closeOnExec)
    {
        if (Fcntl(fd, 2 /* F_SETFD */, closeOnExec ? 1 : 0) != 0)
        {
            throw new InvalidOperationException($"fcntl({fd}, F_SETFD) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>A second descriptor for what <paramref name="handle"/> holds, close-on-exec, owned by the caller.</summary>
    public static int Duplicate(SafeHandle handle)
    {
        var fd = Fcntl((int)handle.DangerousGetHandle(), 1030 /* F_DUPFD_CLOEXEC */, 3);
        return fd >= 0 ? fd : throw new InvalidOperationException($"fcntl(F_DUPFD_CLOEXEC) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// Bytes this end of a Unix stream socket sent that the other end has not read yet (<c>SIOCOUTQ</c>, unix(7)):
    /// 0 means the daemon has taken them from the kernel.
    /// </summary>
    public static int Unread(Socket socket)
    {
        int value;
        return IoctlInt(socket.SafeHandle, 0x5411 /* SIOCOUTQ */, &value) == 0 ? value
            : throw new InvalidOperationException($"ioctl(SIOCOUTQ) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Closes a descriptor the store kept; one already closed is no error here.</summary>
    public static void Close(int fd) => _ = CloseDescriptor(fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseDescriptor(int fd);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(SafeHandle socket, Libc.MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlInt(SafeHandle fd, nuint request, int* value);
}
