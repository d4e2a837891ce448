using System.Net.Sockets;
using SocketDaemon.Internal;

namespace SocketDaemon.Transport;

/// <summary>
/// A <see cref="SocketPipeReader"/>'s reads that leave the bytes in the socket: each receive peeks on from where the
/// last one stopped (the socket's <c>SO_PEEK_OFF</c>), and bytes leave the kernel only when the connection says their
/// lines are in the log (<see cref="Consume"/>). What a killed process had read is then still in the socket, which
/// outlives it in systemd's store, and the next run reads it again.
/// </summary>
/// <remarks>
/// The peek offset belongs to the socket, not to this process, which is what lets a run after a kill tell whether the
/// bytes of the last logged lines left the socket (<see cref="Mark"/>, and <c>UnconsumedClaims</c>).
/// </remarks>
internal sealed class SocketPeek
{
    private const int TcpReceiveBufferBytes = 1 << 20;

    [ThreadStatic]
    private static byte[]? t_discard;

    private readonly Socket _socket;
    private readonly bool _tcp;

    /// <summary>Peeking on <paramref name="socket"/>, or <see langword="null"/> where the kernel has no <c>SO_PEEK_OFF</c> for it.</summary>
    public static SocketPeek? TryStart(Socket socket)
    {
        try
        {
            return new SocketPeek(socket);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Starts peeking at the first byte the socket holds.</summary>
    private SocketPeek(Socket socket)
    {
        _socket = socket;
        _tcp = socket.ProtocolType == ProtocolType.Tcp;
        if (_tcp && socket.ReceiveBufferSize < TcpReceiveBufferBytes)
        {
            // Peeked bytes do not count as read for TCP's receive-buffer autotuning, which then keeps the buffer at its
            // first size; a segment the rest of a line is waiting in can pin most of it, and the sender stalls on a
            // window the buffer cannot take. A fixed larger buffer leaves room for that.
            socket.ReceiveBufferSize = TcpReceiveBufferBytes;
        }

        Libc.SetPeekOffset(socket, 0);
    }

    /// <summary>Bytes peeked and still in the socket.</summary>
    public int Held { get; private set; }

    /// <summary>Peeks the bytes past those held into <paramref name="room"/>.</summary>
    public int Receive(Span<byte> room, out SocketError error)
    {
        var received = _socket.Receive(room, SocketFlags.Peek, out error);
        if (error == SocketError.Success)
        {
            Held += received;
        }

        return received;
    }

    /// <summary>A readiness wait peeked one byte: the next receive peeks it again.</summary>
    public void Rewind() => Libc.SetPeekOffset(_socket, Held);

    /// <summary>
    /// Sets the peek offset to <paramref name="marker"/> before lines go to the log: a consume after them lowers it by
    /// the bytes taken, so a run after a kill reads from it whether the consume happened.
    /// </summary>
    public void Mark(int marker) => Libc.SetPeekOffset(_socket, marker);

    /// <summary>Takes <paramref name="count"/> held bytes out of the socket and peeks on after those still held.</summary>
    /// <exception cref="IOException">The socket failed.</exception>
    public void Consume(int count)
    {
        if (count > 0)
        {
            var taken = Discard(_socket, count, _tcp);
            if (taken < 0)
            {
                var error = new SocketException(-taken);
                throw new IOException($"Unable to take logged bytes from the transport connection: {error.Message}", error);
            }

            Held -= taken;
        }

        Libc.SetPeekOffset(_socket, Held);
    }

    /// <summary>Takes every held byte out of the socket and stops peeking: the process holds them now, as without peeking.</summary>
    public void Stop()
    {
        Consume(Held);
        Libc.SetPeekOffset(_socket, -1);
    }

    /// <summary>Takes and drops <paramref name="count"/> bytes of <paramref name="socket"/>; returns how many, or -errno.</summary>
    public static int Discard(Socket socket, int count, bool tcp) =>
        Libc.Discard(socket, count, tcp, tcp ? default : (t_discard ??= GC.AllocateUninitializedArray<byte>(64 * 1024)));
}
