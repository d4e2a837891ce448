namespace SocketDaemon.Client.Spooling;

/// <summary>
/// The tasks a spool's sender hands out from <c>WaitForAcknowledgedAsync</c>: each completes once the records up to its
/// sequence are acknowledged. Not thread-safe: the sender calls it under the lock it acknowledges under.
/// </summary>
internal sealed class AcknowledgementWaiters
{
    private readonly PriorityQueue<TaskCompletionSource, ulong> _waiters = new();

    /// <summary>A task that completes once <paramref name="sequence"/> is acknowledged; completed if <paramref name="acknowledged"/> already covers it.</summary>
    public Task WaitFor(ulong sequence, ulong acknowledged)
    {
        if (acknowledged >= sequence)
        {
            return Task.CompletedTask;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Add(sequence, waiter, acknowledged);
        return waiter.Task;
    }

    /// <summary>
    /// Completes <paramref name="waiter"/> once <paramref name="sequence"/> is acknowledged (at once if
    /// <paramref name="acknowledged"/> covers it): a caller's own task, with no second task and hand-off between.
    /// </summary>
    public void Add(ulong sequence, TaskCompletionSource waiter, ulong acknowledged)
    {
        if (acknowledged >= sequence)
        {
            waiter.TrySetResult();
            return;
        }

        _waiters.Enqueue(waiter, sequence);
    }

    /// <summary>Completes the waiters of every sequence up to <paramref name="through"/>.</summary>
    public void Release(ulong through)
    {
        while (_waiters.TryPeek(out var waiter, out var sequence) && sequence <= through)
        {
            _waiters.Dequeue();
            waiter.TrySetResult();
        }
    }

    /// <summary>Cancels every waiter left: the sender stops, and what they wait for stays in the spool.</summary>
    public void CancelAll()
    {
        while (_waiters.TryDequeue(out var waiter, out _))
        {
            waiter.TrySetCanceled();
        }
    }
}
