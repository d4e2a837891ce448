using System.Net.Sockets;
using SocketDaemon.Internal;

namespace SocketDaemon.Transport;

/// <summary>
/// The zero-byte receive a <see cref="SocketPipeReader"/> waits in while it has no bytes to hand over, and what the
/// socket said: it completes when the socket has bytes, its end or an error, and takes nothing from it, so an idle
/// connection holds no buffer. Its completion runs <see cref="SocketPipeReader.OnWaitCompleted"/> on the socket's
/// thread-pool thread.
/// </summary>
/// <remarks>
/// It is also the reader's lock, which guards its state: the reader, the socket's completion and a cancellation on any
/// thread meet under it. It never leaves the reader (the socket does not lock it).
/// </remarks>
internal sealed class ReadinessWait(SocketPipeReader reader, Socket socket) : SocketAsyncEventArgs(unsafeSuppressExecutionContextFlow: true)
{
    // The wait peeks one byte instead of receiving none: set up for the last wait or not.
    private bool _peeks;

    /// <summary>Whether a wait is under way.</summary>
    public bool IsUnderWay { get; private set; }

    /// <summary>Whether a wait completed since the last receive: the socket has bytes or its end. The receive clears it.</summary>
    public bool IsReadable { get; set; }

    /// <summary>How the socket failed, found by a wait or a receive; <see cref="SocketError.Success"/> while it has not.</summary>
    public SocketError Error { get; set; }

    /// <summary>
    /// Starts waiting, for a socket whose reads peek with <paramref name="peek"/>. Returns whether the wait completed at
    /// once, having noted what it found; when not, it is under way.
    /// </summary>
    public bool Start(SocketPeek? peek)
    {
        var peeks = peek is not null;
        if (_peeks != peeks)
        {
            // A zero-byte peek returns at once while the socket holds bytes already peeked: peek for one more instead.
            _peeks = peeks;
            SetBuffer(peeks ? new byte[1] : null, 0, peeks ? 1 : 0);
        }

        // A receive leaves the flags it got back here: set them for every wait.
        SocketFlags = peeks ? SocketFlags.Peek : SocketFlags.None;

        // A completion on another thread takes the lock this thread holds: it sees the wait under way.
        IsUnderWay = socket.ReceiveAsync(this);
        if (IsUnderWay)
        {
            return false;
        }

        Note(peek);
        return true;
    }

    /// <summary>Notes what the wait under way found, now that it has completed (under the reader's lock).</summary>
    public void Ended(SocketPeek? peek)
    {
        IsUnderWay = false;
        Note(peek);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => reader.OnWaitCompleted();

    private void Note(SocketPeek? peek)
    {
        if (SocketError != SocketError.Success)
        {
            Error = SocketError;
            return;
        }

        if (_peeks && BytesTransferred > 0)
        {
            // The wait's peek moved the offset past a byte the next receive must peek into the buffer.
            if (peek is not null)
            {
                peek.Rewind();
            }
            else
            {
                Libc.SetPeekOffset(socket, -1);
            }
        }

        IsReadable = true;
    }
}
