using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace SocketDaemon.Transport;

/// <summary>
/// The bytes a <see cref="SocketPipeReader"/> received and the connection has not consumed yet, in one buffer from the
/// listener's <see cref="ReceiveBufferPool"/>, and the receive that adds to them. No buffer while there are none.
/// </summary>
/// <remarks>
/// <para>
/// Receives start at <see cref="MinimumReceiveBytes"/> and double each time one fills its room, up to the listener's
/// maximum, and halve again when they come back less than half full: a bulk sender gets few large receives (fewer
/// syscalls and wakeups per byte). A receive that wakes an idle reader goes through a per-thread scratch buffer into
/// one just large enough, so a connection that sends a line now and then holds a few bytes for it. A frame larger than
/// the buffer moves to one twice its size; the start of a frame left at the end of a buffer moves to its front.
/// </para>
/// <para>
/// A mutable struct, held as a field of its reader and never copied: it costs the reader no object and no call it
/// cannot inline. The reader's lock guards it.
/// </para>
/// </remarks>
internal struct ReceiveBuffer
{
    /// <summary>
    /// The first receive buffer of every connection. A receive goes on into the room a buffer has left down to a
    /// quarter of this: a connection inside a frame holds the one buffer the frame is in, not a second one.
    /// </summary>
    internal const int MinimumReceiveBytes = 4096;

    private const int MinimumRoom = MinimumReceiveBytes / 4;

    [ThreadStatic]
    private static byte[]? t_scratch;

    private readonly ReceiveBufferPool _pool;
    private readonly int _maxReceiveBytes;

    // The unconsumed bytes are _array[_start.._end]; no array while there are none.
    private byte[]? _array;
    private int _start;
    private int _end;
    private int _nextReceiveBytes = MinimumReceiveBytes;

    // The connection examined every byte there is: its next read waits for more.
    private bool _examinedAll;

    /// <summary>
    /// Receives into buffers from <paramref name="pool"/> of at most <paramref name="maxReceiveBytes"/>, holding
    /// <paramref name="pending"/> first (bytes an earlier run had read, for a connection taken back from systemd's store).
    /// </summary>
    public ReceiveBuffer(ReceiveBufferPool pool, int maxReceiveBytes, ReadOnlySpan<byte> pending)
    {
        _pool = pool;
        _maxReceiveBytes = Math.Max(maxReceiveBytes, MinimumReceiveBytes);
        if (!pending.IsEmpty)
        {
            _array = pool.Rent(Math.Max(pending.Length, MinimumReceiveBytes));
            pending.CopyTo(_array);
            _end = pending.Length;
        }
    }

    /// <summary>How large the next receive buffer is: as large as the last receives say the data flows.</summary>
    public readonly int NextReceiveBytes => _nextReceiveBytes;

    /// <summary>Whether a buffer is held: bytes flow, or a frame is under way.</summary>
    public readonly bool IsHeld => _array is not null;

    /// <summary>Whether there are bytes the connection has not consumed.</summary>
    public readonly bool HasUnconsumed => _end > _start;

    /// <summary>Whether there are bytes the connection has not examined yet: a read hands them over without waiting.</summary>
    public readonly bool HasUnexamined
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _end > _start && !_examinedAll;
    }

    /// <summary>The bytes the connection has not consumed.</summary>
    public readonly ReadOnlySequence<byte> Unconsumed => _array is null ? default : new ReadOnlySequence<byte>(_array, _start, _end - _start);

    /// <summary>Drops the bytes before <paramref name="consumed"/>; the connection examined those before <paramref name="examined"/>.</summary>
    public void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var from = IndexOf(consumed);
        var to = IndexOf(examined);
        if (from > to)
        {
            throw new ArgumentOutOfRangeException(nameof(consumed), "The consumed position is past the examined one.");
        }

        _start = from;
        _examinedAll = to == _end;
        if (_start == _end)
        {
            // All consumed: the whole buffer is room for the next receive.
            _start = _end = 0;
        }
    }

    /// <summary>
    /// Receives what <paramref name="socket"/> has (peeks it with <paramref name="peek"/>) after the unconsumed bytes;
    /// returns how many bytes came, 0 at the end. A receive that fails or ends lets go of an empty buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Receive(Socket socket, SocketPeek? peek, out SocketError error)
    {
        var fromIdle = _array is null;
        var room = fromIdle ? Scratch(_nextReceiveBytes) : Room();
        var received = peek is null ? socket.Receive(room, SocketFlags.None, out error) : peek.Receive(room, out error);
        if (error != SocketError.Success || received == 0)
        {
            if (error != SocketError.WouldBlock)
            {
                ReleaseIfEmpty();
            }

            return received;
        }

        if (fromIdle)
        {
            // Woken from idle, the bytes went to this thread's scratch buffer and move to one just large enough: a
            // connection that sends a line now and then holds a few bytes for it, not a receive buffer, and a burst of
            // such connections leaves no buffers between their long-lived objects on the heap.
            _array = _pool.Rent(received);
            room[..received].CopyTo(_array);
            _start = 0;
        }

        _end += received;
        _examinedAll = false;
        Note(received, room.Length);
        return received;
    }

    /// <summary>Gives the buffer back when it holds no unconsumed bytes.</summary>
    public void ReleaseIfEmpty()
    {
        if (_array is not null && _start == _end)
        {
            _pool.Return(_array);
            _array = null;
            _start = _end = 0;
        }
    }

    /// <summary>Drops the unconsumed bytes and gives the buffer back.</summary>
    public void Clear()
    {
        _start = _end = 0;
        ReleaseIfEmpty();
    }

    private readonly int IndexOf(SequencePosition position)
    {
        var index = position.GetInteger();
        if (!ReferenceEquals(position.GetObject(), _array) || index < _start || index > _end)
        {
            throw new InvalidOperationException("The position is not in the buffer of the last read.");
        }

        return index;
    }

    /// <summary>This thread's buffer for a receive that wakes an idle connection, of at least <paramref name="length"/> bytes.</summary>
    private static Span<byte> Scratch(int length)
    {
        if (t_scratch is not { } scratch || scratch.Length < length)
        {
            t_scratch = scratch = GC.AllocateUninitializedArray<byte>(length);
        }

        return scratch.AsSpan(0, length);
    }

    /// <summary>Room for the next receive: the rest of the buffer, after moving its unconsumed bytes to the front of it or of a larger one.</summary>
    private Span<byte> Room()
    {
        if (_array is null || (_start == _end && _array.Length < _nextReceiveBytes))
        {
            if (_array is not null)
            {
                _pool.Return(_array);
            }

            _array = _pool.Rent(_nextReceiveBytes);
            _start = _end = 0;
        }
        else if (_array.Length - _end < MinimumRoom)
        {
            var unconsumed = _end - _start;
            var size = (int)Math.Min(Math.Max(_nextReceiveBytes, 2L * unconsumed), Array.MaxLength);
            var target = _array;
            if (size > _array.Length)
            {
                target = _pool.Rent(size);
            }

            _array.AsSpan(_start, unconsumed).CopyTo(target);
            if (target != _array)
            {
                _pool.Return(_array);
                _array = target;
            }

            _start = 0;
            _end = unconsumed;
        }

        return _array.AsSpan(_end);
    }

    private void Note(int received, int room)
    {
        if (received == room && room >= _nextReceiveBytes)
        {
            _nextReceiveBytes = Math.Min(_nextReceiveBytes * 2, _maxReceiveBytes);
        }
        else if (received < _nextReceiveBytes / 2)
        {
            _nextReceiveBytes = Math.Max(_nextReceiveBytes / 2, MinimumReceiveBytes);
        }
    }
}
