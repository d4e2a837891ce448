using System.Runtime.InteropServices;

namespace SocketDaemon.Internal;

internal static unsafe partial class Libc
{
    /// <summary>
    /// SO_PEEK_OFF, socket(7): where the next <c>recv(MSG_PEEK)</c> starts, counted from the first byte not taken yet.
    /// A peek moves it on, a receive that takes bytes moves it back by as many; it belongs to the socket, not the
    /// descriptor, so it outlives the process that set it (a socket in systemd's store). TCP has it from Linux 6.9.
    /// </summary>
    private const int SO_PEEK_OFF = 42;

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(SafeHandle socket, byte* buffer, nuint length, int flags);

    /// <summary>The socket's peek offset, or -1 when peeking starts at the first byte (never set).</summary>
    internal static int GetPeekOffset(System.Net.Sockets.Socket socket)
    {
        Span<byte> value = stackalloc byte[sizeof(int)];
        return socket.GetRawSocketOption(SOL_SOCKET, SO_PEEK_OFF, value) == sizeof(int) ? MemoryMarshal.Read<int>(value) : -1;
    }

    /// <summary>Sets the socket's peek offset (<see cref="GetPeekOffset"/>).</summary>
    internal static void SetPeekOffset(System.Net.Sockets.Socket socket, int offset) =>
        socket.SetRawSocketOption(SOL_SOCKET, SO_PEEK_OFF, MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in offset)));

    /// <summary>
    /// Takes <paramref name="count"/> bytes the socket holds and drops them: TCP drops them in the kernel
    /// (<c>MSG_TRUNC</c>, tcp(7)); a Unix stream socket copies them into <paramref name="scratch"/>.
    /// </summary>
    /// <returns>The bytes taken (fewer only when the socket holds fewer), or -errno.</returns>
    internal static int Discard(System.Net.Sockets.Socket socket, int count, bool tcp, Span<byte> scratch)
    {
        var taken = 0;
        while (taken < count)
        {
            nint received;
            if (tcp)
            {
                received = Recv(socket.SafeHandle, null, (nuint)(count - taken), MSG_TRUNC | MSG_DONTWAIT);
            }
            else
            {
                fixed (byte* room = scratch)
                {
                    received = Recv(socket.SafeHandle, room, (nuint)Math.Min(scratch.Length, count - taken), MSG_DONTWAIT);
                }
            }

            if (received < 0)
            {
                return taken > 0 ? taken : -Marshal.GetLastPInvokeError();
            }

            if (received == 0)
            {
                break;
            }

            taken += (int)received;
        }

        return taken;
    }
}
