using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace SocketDaemon.Transport;

/// <summary>
/// A <see cref="PipeReader"/> straight on a stream socket, with as few objects as work: the reader is its own
/// awaitable (<see cref="PendingRead"/>), one <see cref="ReadinessWait"/> waits for the socket, and the unconsumed bytes
/// sit in one <see cref="ReceiveBuffer"/>. It takes bytes from the kernel only when the connection asks for more and
/// the socket has some: it waits with a zero-byte receive (which takes nothing), and only then receives into a buffer.
/// So an idle connection holds no buffer, nothing is read ahead, and what the process holds is exactly what the
/// connection has not consumed: a connection in systemd's store can be handed over whole. While bytes flow it
/// receives into the buffer it holds without waiting first.
/// </summary>
/// <remarks>
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
    private readonly Socket _socket;

    // Also the lock (see ReadinessWait).
    private readonly ReadinessWait _wait;
    private PendingRead _read;
    private ReceiveBuffer _buffer;

    private bool _ended;
    private bool _completed;

    // Reads that leave the bytes in the socket until their lines are logged.
    private SocketPeek? _peek;

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
        _wait = new ReadinessWait(this, socket);
        if (peek)
        {
            _peek = SocketPeek.TryStart(socket);
        }

        _buffer = new ReceiveBuffer(pool, maxReceiveBytes, pending);
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

    /// <summary>How large the next receive buffer is: see <see cref="ReceiveBuffer.NextReceiveBytes"/>.</summary>
    internal int NextReceiveBytes => _buffer.NextReceiveBytes;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReadResult>(cancellationToken);
        }

        lock (_wait)
        {
            ThrowIfCompleted();
            if (_read.IsPending)
            {
                throw new InvalidOperationException("A read is already pending.");
            }

            ReadResult result;
            while (!TryTake(out result))
            {
                if (_wait.IsUnderWay || !_wait.Start(_peek))
                {
                    // Nothing to hand over and the socket has nothing yet: wait for it holding no buffer.
                    _buffer.ReleaseIfEmpty();
                    return _read.Begin(this, cancellationToken);
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
            if (_read.IsWaiting)
            {
                throw new InvalidOperationException("A read is already pending.");
            }

            if (_read.CancelRequested || _buffer.HasUnexamined || _ended || _wait.Error != SocketError.Success || _wait.IsReadable
                || (!_wait.IsUnderWay && _wait.Start(_peek)))
            {
                return false;
            }

            _buffer.ReleaseIfEmpty();
            _read.Park(resume);
            return true;
        }
    }

    /// <summary>What is buffered, without taking anything from the kernel: a stop hands these bytes over as they are.</summary>
    public override bool TryRead(out ReadResult result)
    {
        lock (_wait)
        {
            ThrowIfCompleted();
            if (_read.CancelRequested || _buffer.HasUnconsumed || _ended)
            {
                result = Result(canceled: _read.CancelRequested);
                _read.CancelRequested = false;
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
            _buffer.AdvanceTo(consumed, examined);
        }
    }

    public override void CancelPendingRead()
    {
        ReadResult result;
        CancellationTokenRegistration registration;
        lock (_wait)
        {
            if (_read.Unpark() is { } parked)
            {
                // Not on the caller's thread: it is the deadline tick or a stop, which wake many connections.
                _read.CancelRequested = true;
                ThreadPool.UnsafeQueueUserWorkItem(parked, preferLocal: false);
                return;
            }

            if (!_read.IsPending)
            {
                _read.CancelRequested = true;
                return;
            }

            result = Result(canceled: true);
            registration = _read.End();
        }

        _read.Complete(registration, result, failure: null, queue: true);
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
            _ = _read.Unpark();
            _buffer.Clear();
        }

        // A wait still under way ends when the socket closes; the arguments are let go of then.
        _wait.Dispose();
    }

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _read.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    /// <summary>The wait completed (on the socket's thread-pool thread): the read that waits, or the parked connection, goes on.</summary>
    internal void OnWaitCompleted()
    {
        ReadResult result = default;
        Exception? failure = null;
        CancellationTokenRegistration registration;
        IThreadPoolWorkItem? parked;
        lock (_wait)
        {
            _wait.Ended(_peek);
            parked = _read.Unpark();
            if (parked is not null)
            {
                registration = default;
            }
            else if (!_read.IsPending || _completed)
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
                        if (!_wait.Start(_peek))
                        {
                            // Nothing after all: the read waits on, holding no buffer.
                            _buffer.ReleaseIfEmpty();
                            return;
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The read that waits for the socket fails with it, not the thread that completed the wait.
                    failure = ex;
                }

                registration = _read.End();
            }
        }

        if (parked is not null)
        {
            // Already on a thread-pool thread: the connection goes on here.
            parked.Execute();
            return;
        }

        _read.Complete(registration, result, failure, queue: false);
    }

    /// <summary>The token of the read that waits was cancelled: the read ends with it, its continuation queued.</summary>
    internal void CancelForToken()
    {
        CancellationToken token;
        lock (_wait)
        {
            if (!_read.IsCanceledByItsToken)
            {
                return;
            }

            token = _read.Token;
            _ = _read.End();
        }

        // Inside the registration's own callback: nothing to undo.
        _read.Complete(registration: default, result: default, new OperationCanceledException(token), queue: true);
    }

    /// <summary>
    /// Whether there is something to hand over now (a cancellation, bytes not examined yet, the end), receiving from
    /// the socket when the last wait said it has something.
    /// </summary>
    /// <exception cref="IOException">The socket failed (a reset).</exception>
    private bool TryTake(out ReadResult result)
    {
        if (_read.CancelRequested)
        {
            _read.CancelRequested = false;
            result = Result(canceled: true);
            return true;
        }

        if (_buffer.HasUnexamined || _ended)
        {
            result = Result(canceled: false);
            return true;
        }

        if (_wait.Error != SocketError.Success)
        {
            throw ReadFailed(_wait.Error);
        }

        // An idle connection waits before it takes a buffer; one that holds a buffer (bytes flow, or a frame is under
        // way) tries the socket first, which saves the wait's syscall while bytes keep coming.
        if (!_buffer.IsHeld && !_wait.IsReadable)
        {
            result = default;
            return false;
        }

        _wait.IsReadable = false;
        var received = _buffer.Receive(_socket, _peek, out var error);
        if (error == SocketError.WouldBlock)
        {
            result = default;
            return false;
        }

        if (error != SocketError.Success)
        {
            _wait.Error = error;
            throw ReadFailed(error);
        }

        _ended = received == 0;

        result = Result(canceled: false);
        return true;
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("Reading is not allowed after the reader was completed.");
        }
    }

    private ReadResult Result(bool canceled) => new(_buffer.Unconsumed, canceled, _ended);

    private static IOException ReadFailed(SocketError error)
    {
        var socketError = new SocketException((int)error);
        return new IOException($"Unable to read data from the transport connection: {socketError.Message}", socketError);
    }
}
