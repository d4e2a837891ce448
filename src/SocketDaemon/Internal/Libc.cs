using System.Runtime.InteropServices;

namespace SocketDaemon.Internal;

/// <summary>The few libc calls .NET has no API for.</summary>
internal static unsafe partial class Libc
{
    internal const int SOL_SOCKET = 1;
    internal const int SO_PASSCRED = 16;
    internal const int SO_PEERCRED = 17;

    private const int SCM_CREDENTIALS = 2;
    private const int MSG_TRUNC = 0x20;
    private const int MSG_DONTWAIT = 0x40;

    private const uint S_IFMT = 0xF000;
    private const uint S_IFSOCK = 0xC000;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial byte* GetPasswordEntry(string name);

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial byte* GetGroupEntry(string name);

    /// <summary>chown(2) with <see langword="null"/> for "leave as it is" (-1).</summary>
    /// <returns>0, or the errno (<c>EPERM</c> is 1).</returns>
    internal static int ChangeOwner(string path, uint? owner, uint? group) =>
        Chown(path, owner ?? uint.MaxValue, group ?? uint.MaxValue) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// A user or group id from a number or a name (getpwnam(3), getgrnam(3)). Called at start only: those functions
    /// share one static buffer.
    /// </summary>
    internal static bool TryResolveId(string? value, bool group, out uint id)
    {
        id = 0;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (uint.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id))
        {
            return true;
        }

        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; ... }, struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }
        var entry = group ? GetGroupEntry(value) : GetPasswordEntry(value);
        if (entry is null)
        {
            return false;
        }

        id = *(uint*)(entry + (2 * sizeof(nint)));
        return true;
    }

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LStat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary>
    /// socketpair(AF_UNIX, SOCK_STREAM): the first end close-on-exec (it stays in the daemon), the second inheritable
    /// (it becomes a child's standard input and output).
    /// </summary>
    internal static (int Parent, int Child) CreateSocketPair()
    {
        const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
        var fds = stackalloc int[2];
        if (SocketPair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        {
            throw new IOException($"socketpair failed: errno {Marshal.GetLastPInvokeError()}");
        }

        // The child's end loses close-on-exec so that exec(2) keeps it: fcntl(F_SETFD, 0).
        if (FcntlSetFd(fds[1], 2 /* F_SETFD */, 0) != 0)
        {
            throw new IOException($"fcntl failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (fds[0], fds[1]);
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlSetFd(int fd, int command, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(SafeHandle socket, MsgHdr* message, int flags);

    /// <summary>struct iovec, for recvmsg(2) and sendmsg(2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    /// <summary>struct msghdr, for recvmsg(2) and sendmsg(2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MsgHdr
    {
        public nint Name;
        public int NameLength;
        public nint Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMsg(SafeHandle socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MemfdCreate(string name, uint flags);

    /// <summary>
    /// Sends <paramref name="data"/> as one datagram to the Unix socket <paramref name="address"/> (a path, or a
    /// leading NUL for an abstract name) with <paramref name="descriptor"/> in an <c>SCM_RIGHTS</c> control message
    /// (unix(7)): the receiver gets its own descriptor for the same open file, as sd_pid_notify_with_fds(3) sends.
    /// </summary>
    /// <returns>0, or the errno of the failed sendmsg(2).</returns>
    internal static int SendWithDescriptor(SafeHandle socket, string address, ReadOnlySpan<byte> data, int descriptor)
    {
        const int SCM_RIGHTS = 1, MSG_NOSIGNAL = 0x4000, SunPathLength = 108;
        var path = System.Text.Encoding.UTF8.GetBytes(address);
        if (path.Length >= SunPathLength)
        {
            return 36; // ENAMETOOLONG
        }

        // struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }: an abstract name counts no final NUL.
        var name = stackalloc byte[2 + SunPathLength];
        new Span<byte>(name, 2 + SunPathLength).Clear();
        *(ushort*)name = 1; // AF_UNIX
        path.CopyTo(new Span<byte>(name + 2, SunPathLength));
        var nameLength = 2 + path.Length + (path.Length > 0 && path[0] == 0 ? 0 : 1);

        // CMSG_SPACE(sizeof(int)): the header (size_t len, int level, int type) then the descriptor, padded to size_t.
        var header = sizeof(nuint) + 8;
        var controlLength = (header + sizeof(int) + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);
        var control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        *(nuint*)control = (nuint)(header + sizeof(int));
        *(int*)(control + sizeof(nuint)) = SOL_SOCKET;
        *(int*)(control + sizeof(nuint) + 4) = SCM_RIGHTS;
        *(int*)(control + header) = descriptor;
        fixed (byte* bytes = data)
        {
            var iov = new IoVec { Base = (nint)bytes, Length = (nuint)data.Length };
            var message = new MsgHdr
            {
                Name = (nint)name,
                NameLength = nameLength,
                Iov = (nint)(&iov),
                IovLength = 1,
                Control = descriptor >= 0 ? (nint)control : 0,
                ControlLength = descriptor >= 0 ? (nuint)controlLength : 0,
            };
            return SendMsg(socket, &message, MSG_NOSIGNAL) < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
    }

    /// <summary>An anonymous file in memory (memfd_create(2)), close-on-exec; the caller owns the descriptor.</summary>
    internal static Microsoft.Win32.SafeHandles.SafeFileHandle CreateMemoryFile(string name)
    {
        const uint MFD_CLOEXEC = 1;
        var fd = MemfdCreate(name, MFD_CLOEXEC);
        return fd < 0
            ? throw new IOException($"memfd_create failed: errno {Marshal.GetLastPInvokeError()}")
            : new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// Sets or clears close-on-exec on <paramref name="fd"/>. Inherited descriptors arrive without it, and a child
    /// process must not keep them; and .NET never shuts down a socket without it when closing (a socket shared with
    /// another process, such as the service manager's store, must not be shut down for everyone).
    /// </summary>
    internal static void SetCloseOnExec(nint fd, bool closeOnExec)
    {
        const int F_SETFD = 2, FD_CLOEXEC = 1;
        if (FcntlSetFd((int)fd, F_SETFD, closeOnExec ? FD_CLOEXEC : 0) != 0)
        {
            throw new IOException($"fcntl(F_SETFD) failed on descriptor {fd}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>What is at <paramref name="path"/>: nothing, a socket, or something else.</summary>
    /// <remarks>
    /// .NET tells a socket file from a regular one nowhere in its API, and connect(2) refuses both alike, so ask lstat(2).
    /// Only <c>st_mode</c> is read; its offset in <c>struct stat</c> is fixed per architecture by the kernel ABI.
    /// </remarks>
    internal static PathKind GetPathKind(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // No lstat: an AF_UNIX socket there is a reparse point; the connect probe tells live from stale.
            return File.Exists(path) ? PathKind.Socket : PathKind.None;
        }

        var modeOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 16,
            _ => -1,
        };

        if (modeOffset < 0)
        {
            // Unknown layout: fall back to existence alone and let the connect probe decide.
            return File.Exists(path) || Directory.Exists(path) ? PathKind.Socket : PathKind.None;
        }

        var buffer = stackalloc byte[256];
        if (LStat(path, buffer) != 0)
        {
            return Marshal.GetLastPInvokeError() == 2 /* ENOENT */ ? PathKind.None : PathKind.Other;
        }

        var mode = *(uint*)(buffer + modeOffset);
        return (mode & S_IFMT) == S_IFSOCK ? PathKind.Socket : PathKind.Other;
    }

    internal enum PathKind
    {
        None,
        Socket,
        Other,
    }
}
