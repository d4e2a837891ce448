using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace SocketDaemon.Transport;

/// <summary>
/// What waits for a <see cref="SocketPipeReader"/>'s socket: a read, whose <see cref="ValueTask{TResult}"/> completes
/// from here (the reader is its own <see cref="IValueTaskSource{TResult}"/>, so a read that waits allocates nothing),
/// with the registration of its cancellation token; or a connection parked in its place
/// (<see cref="SocketPipeReader.TryPark"/>). And a cancellation that came while neither waited, for the next read.
/// </summary>
/// <remarks>
/// A mutable struct, held as a field of its reader and never copied. The reader's lock guards everything but the
/// completion itself, which runs outside it once <see cref="End"/> has taken the read's turn.
/// </remarks>
internal struct PendingRead
{
    private ManualResetValueTaskSourceCore<ReadResult> _source;
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;
    private bool _pending;
    private IThreadPoolWorkItem? _parked;

    /// <summary>Whether a read waits.</summary>
    public readonly bool IsPending => _pending;

    /// <summary>Whether a read waits or a connection is parked.</summary>
    public readonly bool IsWaiting
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _pending || _parked is not null;
    }

    /// <summary>Whether a cancellation came while no read waited: the next read returns cancelled.</summary>
    public bool CancelRequested { readonly get; set; }

    /// <summary>Whether a read waits and its own token is cancelled (a registration of an earlier read may fire late).</summary>
    public readonly bool IsCanceledByItsToken => _pending && _token.IsCancellationRequested;

    /// <summary>The token of the read that waits.</summary>
    public readonly CancellationToken Token => _token;

    /// <summary>
    /// Starts a read of <paramref name="reader"/> that waits; a cancellation of <paramref name="token"/> runs the
    /// reader's <see cref="SocketPipeReader.CancelForToken"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ValueTask<ReadResult> Begin(SocketPipeReader reader, CancellationToken token)
    {
        _source.Reset();
        _pending = true;
        _token = token;
        if (token.CanBeCanceled)
        {
            _registration = token.UnsafeRegister(static state => ((SocketPipeReader)state!).CancelForToken(), reader);
        }

        return new ValueTask<ReadResult>(reader, _source.Version);
    }

    /// <summary>Parks a connection: <paramref name="resume"/> runs instead of a read's continuation.</summary>
    public void Park(IThreadPoolWorkItem resume) => _parked = resume;

    /// <summary>Takes the parked connection's turn to resume it; <see langword="null"/> when none is parked.</summary>
    public IThreadPoolWorkItem? Unpark()
    {
        var parked = _parked;
        _parked = null;
        return parked;
    }

    /// <summary>Takes the waiting read's turn to complete it; returns its token's registration, to undo outside the lock.</summary>
    public CancellationTokenRegistration End()
    {
        _pending = false;
        var registration = _registration;
        _registration = default;
        _token = default;
        return registration;
    }

    /// <summary>
    /// Completes the read whose turn <see cref="End"/> took, outside the lock: undoes <paramref name="registration"/>,
    /// then the read returns <paramref name="result"/> or throws <paramref name="failure"/>. With <paramref name="queue"/>
    /// its continuation goes to the thread pool instead of running on this thread.
    /// </summary>
    public void Complete(CancellationTokenRegistration registration, ReadResult result, Exception? failure, bool queue)
    {
        registration.Unregister();
        _source.RunContinuationsAsynchronously = queue;
        if (failure is null)
        {
            _source.SetResult(result);
        }
        else
        {
            _source.SetException(failure);
        }
    }

    public ReadResult GetResult(short token) => _source.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _source.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);
}
