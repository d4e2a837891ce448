using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using SocketDaemon.Internal;

namespace SocketDaemon.Transport;

/// <summary>
/// A <see cref="PipeReader"/> straight on a stream socket, with as few objects as work: the reader is its own
/// awaitable, one <see cref="SocketAsyncEventArgs"/> waits for the socket, and the unconsumed bytes sit in one buffer.
/// It takes bytes from the kernel only when the connection asks for more and the socket has some: it waits with a
/// zero-byte receive (which takes nothing), and only then receives into a buffer. So an idle connection holds no
/// buffer, nothing is read ahead, and what the process holds is exactly what the connection has not consumed: a
/// connection in systemd's store can be handed over whole.
/// </summary>
/// <remarks>
/// <para>
/// Receive buffers come from the listener's <see cref="ReceiveBufferPool"/>. Receives start at
/// <see cref="MinimumReceiveBytes"/> and double each time one fills its room, up to the listener's maximum, and halve
/// again when they come back less than half full: a bulk sender gets few large receives (fewer syscalls and wakeups per
/// byte). A receive that wakes an idle reader goes through a per-thread scratch buffer into one just large enough, so a
/// connection that sends a line now and then holds a few bytes for it. While bytes flow the reader receives into the
/// buffer it holds without waiting first. A frame larger than the buffer moves to one twice its size; the start of a
/// frame left at the end of a buffer moves to its front.
/// </para>
/// <para>
/// A cancelled read (<see cref="CancelPendingRead"/>: a timeout, a stop, a reload) returns at once and leaves the wait
/// under way; the next read takes it over. Completions of the wait run the reader's continuation on the socket's
/// thread-pool thread; cancellations queue it, so that the timer tick that cancels never runs a connection. Instead of
/// waiting in a read, a connection can park (<see cref="TryPark"/>): it is called back the same ways, holding no
/// async state meanwhile.
/// </para>
/// </remarks>
[SuppressMessage("Design", "CA1001", Justification = "A PipeReader ends with Complete, which disposes the wait.")]
internal sealed class SocketPipeReader : PipeReader, IValueTaskSource<ReadResult>
{
    /// <summary>
    /// The first receive buffer of every connection. A receive goes on into the room a buffer has left down to a
    /// quarter of this: a connection inside a frame holds the one buffer the frame is in, not a second one.
    /// </summary>
    internal const int MinimumReceiveBytes = 4096;

    private const int MinimumRoom = MinimumReceiveBytes / 4;

    [ThreadStatic]
    private static byte[]? t_scratch;

    private readonly Socket _socket;
    private readonly ReceiveBufferPool _pool;
    private readonly int _maxReceiveBytes;

    // Also the lock: the reader, the socket's completion and CancelPendingRead (any thread) meet under it. It never
    // leaves this class (the socket does not lock it).
    private readonly ReadinessWait _wait;
    private ManualResetValueTaskSourceCore<ReadResult> _source;
    private CancellationTokenRegistration _tokenRegistration;
    private CancellationToken _readToken;

    // The unconsumed bytes are _buffer[_start.._end]; no buffer while there are none and the socket has nothing.
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private int _nextReceiveBytes = MinimumReceiveBytes;

    // The reader examined every byte there is: the next read waits for more.
    private bool _examinedAll;
    private bool _ended;
    private SocketError _error;

    // A zero-byte receive is under way / has completed since the last receive (the socket has bytes, its end or an error).
    private bool _waiting;
    private bool _readable;

    // A read waits for _source; a cancellation came while none did, for the next one.
    private bool _awaiting;
    private bool _cancelRequested;

    // Runs when the socket has something or a read is cancelled, instead of a read that waits (TryPark).
    private IThreadPoolWorkItem? _parked;
    private bool _completed;

    // Reads that leave the bytes in the socket until their lines are logged; the wait is set up for them or not.
    private SocketPeek? _peek;
    private bool _waitPeeks;

    /// <summary>
    /// Reads <paramref name="socket"/>, whose first bytes are <paramref name="pending"/> (bytes an earlier run had read,
    /// for a connection taken back from systemd's store), into buffers from <paramref name="pool"/> of at most
    /// <paramref name="maxReceiveBytes"/>.
    /// </summary>
    public SocketPipeReader(Socket socket, ReadOnlySpan<byte> pending, ReceiveBufferPool pool, int maxReceiveBytes, bool peek = false)
    {
        // Non-blocking, so that a receive takes what the socket has and never waits: waiting is the zero-byte receive's.
        socket.Blocking = false;
        _socket = socket;
        _pool = pool;
        _maxReceiveBytes = Math.Max(maxReceiveBytes, MinimumReceiveBytes);
        _wait = new ReadinessWait(this);
        if (peek)
        {
            _peek = SocketPeek.TryStart(socket);
        }

        if (!pending.IsEmpty)
        {
            _buffer = pool.Rent(Math.Max(pending.Length, MinimumReceiveBytes));
            pending.CopyTo(_buffer);
            _end = pending.Length;
        }
    }

    /// <summary>
    /// Whether reads leave the bytes in the socket (<see cref="SocketPeek"/>): the connection takes them out with
    /// <see cref="MarkLogging"/> and <see cref="ConsumeLogged"/> once their lines are in the log, and a hand-over
    /// stores no pending bytes (the socket still holds them).
    /// </summary>
    public bool IsPeeking => _peek is not null;

    /// <summary>Before the lines of bytes consumed from this reader go to the log: see <see cref="SocketPeek.Mark"/>.</summary>
    public void MarkLogging(int marker)
    {
        lock (_wait)
        {
            _peek?.Mark(marker);
        }
    }

    /// <summary>The lines of <paramref name="count"/> bytes consumed from this reader are in the log: they leave the socket.</summary>
    /// <exception cref="IOException">The socket failed.</exception>
    public void ConsumeLogged(int count)
    {
        lock (_wait)
        {
            _peek?.Consume(count);
        }
    }

    /// <summary>
    /// From now on reads take the bytes out of the socket, as without peeking; the bytes read so far leave it now.
    /// For a connection whose protocol does not log what it reads line by line (the native protocol acknowledges
    /// instead; HTTP).
    /// </summary>
    public void StopPeeking()
    {
        lock (_wait)
        {
            if (_peek is { } peek)
            {
                _peek = null;
                peek.Stop();
            }
        }
    }

    /// <summary>How large the next receive buffer is: as large as the last receives say the data flows.</summary>
    internal int NextReceiveBytes => _nextReceiveBytes;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReadResult>(cancellationToken);
        }

        lock (_wait)
        {
            ThrowIfCompleted();
            if (_awaiting)
            {
                throw new InvalidOperationException("A read is already pending.");
            }

            ReadResult result;
            while (!TryTake(out result))
            {
                if (_waiting || !StartWait())
                {
                    // Nothing to hand over and the socket has nothing yet: wait for it holding no buffer.
                    ReleaseIfEmpty();
                    _source.Reset();
                    _awaiting = true;
                    _readToken = cancellationToken;
                    if (cancellationToken.CanBeCanceled)
                    {
                        _tokenRegistration = cancellationToken.UnsafeRegister(static state => ((SocketPipeReader)state!).CancelForToken(), this);
                    }

                    return new ValueTask<ReadResult>(this, _source.Version);
                }
            }

            return new ValueTask<ReadResult>(result);
        }
    }

    /// <summary>
    /// Instead of a read that would wait: when nothing is there to hand over (bytes not examined yet, a cancellation,
    /// the end), waits for the socket holding no buffer and no awaiting reader, and runs <paramref name="resume"/>
    /// when the socket has something (on the socket's thread-pool thread) or a read is cancelled (queued to the thread
    /// pool; the next read returns cancelled). Returns false when a read would not wait: read now instead.
    /// </summary>
    public bool TryPark(IThreadPoolWorkItem resume)
    {
        lock (_wait)
        {
            ThrowIfCompleted();
            if (_awaiting || _parked is not null)
            {
                throw new InvalidOperationException("A read is already pending.");
            }

            if (_cancelRequested || (_end > _start && !_examinedAll) || _ended || _error != SocketError.Success || _readable
                || (!_waiting && StartWait()))
            {
                return false;
            }

            ReleaseIfEmpty();
            _parked = resume;
            return true;
        }
    }

    /// <summary>What is buffered, without taking anything from the kernel: a stop hands these bytes over as they are.</summary>
    public override bool TryRead(out ReadResult result)
    {
        lock (_wait)
        {
            ThrowIfCompleted();
            if (_cancelRequested || _end > _start || _ended)
            {
                result = Result(canceled: _cancelRequested);
                _cancelRequested = false;
                return true;
            }

            result = default;
            return false;
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        lock (_wait)
        {
            ThrowIfCompleted();
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
    }

    public override void CancelPendingRead()
    {
        ReadResult result;
        CancellationTokenRegistration registration;
        lock (_wait)
        {
            if (_parked is { } parked)
            {
                // Not on the caller's thread: it is the deadline tick or a stop, which wake many connections.
                _parked = null;
                _cancelRequested = true;
                ThreadPool.UnsafeQueueUserWorkItem(parked, preferLocal: false);
                return;
            }

            if (!_awaiting)
            {
                _cancelRequested = true;
                return;
            }

            result = Result(canceled: true);
            registration = EndAwaiting();
        }

        registration.Unregister();
        _source.RunContinuationsAsynchronously = true;
        _source.SetResult(result);
    }

    public override void Complete(Exception? exception = null)
    {
        lock (_wait)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _parked = null;
            _start = _end = 0;
            ReleaseIfEmpty();
        }

        // A wait still under way ends when the socket closes; the arguments are let go of then.
        _wait.Dispose();
    }

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// Whether there is something to hand over now (a cancellation, bytes not examined yet, the end), receiving from
    /// the socket when the last wait said it has something.
    /// </summary>
    /// <exception cref="IOException">The socket failed (a reset).</exception>
    private bool TryTake(out ReadResult result)
    {
        if (_cancelRequested)
        {
            _cancelRequested = false;
            result = Result(canceled: true);
            return true;
        }

        if ((_end > _start && !_examinedAll) || _ended)
        {
            result = Result(canceled: false);
            return true;
        }

        if (_error != SocketError.Success)
        {
            throw ReadFailed(_error);
        }

        // An idle connection waits before it takes a buffer; one that holds a buffer (bytes flow, or a frame is under
        // way) tries the socket first, which saves the wait's syscall while bytes keep coming.
        if (_buffer is null && !_readable)
        {
            result = default;
            return false;
        }

        _readable = false;
        var fromIdle = _buffer is null;
        var room = fromIdle ? Scratch(_nextReceiveBytes) : Room();
        SocketError error;
        var received = _peek is null ? _socket.Receive(room, SocketFlags.None, out error) : _peek.Receive(room, out error);
        if (error == SocketError.WouldBlock)
        {
            result = default;
            return false;
        }

        if (error != SocketError.Success)
        {
            _error = error;
            ReleaseIfEmpty();
            throw ReadFailed(error);
        }

        if (received == 0)
        {
            _ended = true;
            ReleaseIfEmpty();
        }
        else
        {
            if (fromIdle)
            {
                // Woken from idle, the bytes went to this thread's scratch buffer and move to one just large enough:
                // a connection that sends a line now and then holds a few bytes for it, not a receive buffer, and a
                // burst of such connections leaves no buffers between their long-lived objects on the heap.
                _buffer = _pool.Rent(received);
                room[..received].CopyTo(_buffer);
                _start = 0;
            }

            _end += received;
            _examinedAll = false;
            Note(received, room.Length);
        }

        result = Result(canceled: false);
        return true;
    }

    /// <summary>Starts a zero-byte receive; returns whether it completed at once (the socket has something).</summary>
    private bool StartWait()
    {
        if (_waitPeeks != _peek is not null)
        {
            // A zero-byte peek returns at once while the socket holds bytes already peeked: peek for one more instead.
            _waitPeeks = _peek is not null;
            _wait.SetBuffer(_waitPeeks ? new byte[1] : null, 0, _waitPeeks ? 1 : 0);
        }

        // A receive leaves the flags it got back here: set them for every wait.
        _wait.SocketFlags = _waitPeeks ? SocketFlags.Peek : SocketFlags.None;

        _waiting = true;
        bool pending;
        try
        {
            pending = _socket.ReceiveAsync(_wait);
        }
        catch
        {
            _waiting = false;
            throw;
        }

        if (pending)
        {
            return false;
        }

        _waiting = false;
        NoteWait(_wait.SocketError);
        return true;
    }

    private void NoteWait(SocketError waited)
    {
        if (waited == SocketError.Success)
        {
            if (_waitPeeks && _wait.BytesTransferred > 0)
            {
                // The wait's peek moved the offset past a byte the next receive must peek into the buffer.
                if (_peek is { } peek)
                {
                    peek.Rewind();
                }
                else
                {
                    Libc.SetPeekOffset(_socket, -1);
                }
            }

            _readable = true;
        }
        else
        {
            _error = waited;
        }
    }

    private void OnWaitCompleted(SocketError waited)
    {
        ReadResult result = default;
        Exception? failure = null;
        CancellationTokenRegistration registration;
        IThreadPoolWorkItem? parked = null;
        lock (_wait)
        {
            _waiting = false;
            NoteWait(waited);
            if (_parked is not null)
            {
                parked = _parked;
                _parked = null;
                registration = default;
            }
            else if (!_awaiting || _completed)
            {
                // A cancelled read left the wait under way: the next read takes what it found.
                return;
            }
            else
            {
                try
                {
                    while (!TryTake(out result))
                    {
                        if (!StartWait())
                        {
                            // Nothing after all: the read waits on, holding no buffer.
                            ReleaseIfEmpty();
                            return;
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The read that waits for the socket fails with it, not the thread that completed the wait.
                    failure = ex;
                }

                registration = EndAwaiting();
            }
        }

        if (parked is not null)
        {
            // Already on a thread-pool thread: the connection goes on here.
            parked.Execute();
            return;
        }

        registration.Unregister();
        _source.RunContinuationsAsynchronously = false;
        if (failure is null)
        {
            _source.SetResult(result);
        }
        else
        {
            _source.SetException(failure);
        }
    }

    private void CancelForToken()
    {
        CancellationToken token;
        lock (_wait)
        {
            // A registration of an earlier read may fire late: only the waiting read's own token ends it.
            if (!_awaiting || !_readToken.IsCancellationRequested)
            {
                return;
            }

            token = _readToken;
            _ = EndAwaiting();
        }

        _source.RunContinuationsAsynchronously = true;
        _source.SetException(new OperationCanceledException(token));
    }

    /// <summary>Takes the waiting read's turn to complete it; returns its token's registration, to undo outside the lock.</summary>
    private CancellationTokenRegistration EndAwaiting()
    {
        _awaiting = false;
        var registration = _tokenRegistration;
        _tokenRegistration = default;
        _readToken = default;
        return registration;
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("Reading is not allowed after the reader was completed.");
        }
    }

    private ReadResult Result(bool canceled) =>
        new(_buffer is null ? default : new ReadOnlySequence<byte>(_buffer, _start, _end - _start), canceled, _ended);

    private int IndexOf(SequencePosition position)
    {
        var index = position.GetInteger();
        if (!ReferenceEquals(position.GetObject(), _buffer) || index < _start || index > _end)
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
        if (_buffer is null || (_start == _end && _buffer.Length < _nextReceiveBytes))
        {
            if (_buffer is not null)
            {
                _pool.Return(_buffer);
            }

            _buffer = _pool.Rent(_nextReceiveBytes);
            _start = _end = 0;
        }
        else if (_buffer.Length - _end < MinimumRoom)
        {
            var unconsumed = _end - _start;
            var size = (int)Math.Min(Math.Max(_nextReceiveBytes, 2L * unconsumed), Array.MaxLength);
            var target = _buffer;
            if (size > _buffer.Length)
            {
                target = _pool.Rent(size);
            }

            _buffer.AsSpan(_start, unconsumed).CopyTo(target);
            if (target != _buffer)
            {
                _pool.Return(_buffer);
                _buffer = target;
            }

            _start = 0;
            _end = unconsumed;
        }

        return _buffer.AsSpan(_end);
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

    private void ReleaseIfEmpty()
    {
        if (_buffer is not null && _start == _end)
        {
            _pool.Return(_buffer);
            _buffer = null;
            _start = _end = 0;
        }
    }

    private static IOException ReadFailed(SocketError error)
    {
        var socketError = new SocketException((int)error);
        return new IOException($"Unable to read data from the transport connection: {socketError.Message}", socketError);
    }

    /// <summary>The zero-byte receive an idle connection waits in.</summary>
    private sealed class ReadinessWait(SocketPipeReader reader) : SocketAsyncEventArgs(unsafeSuppressExecutionContextFlow: true)
    {
        protected override void OnCompleted(SocketAsyncEventArgs e) => reader.OnWaitCompleted(e.SocketError);
    }
}
