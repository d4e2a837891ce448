namespace SocketDaemon.Pipeline.Internal;

/// <summary>
/// Runs an expensive flush for many waiters at once: whoever asks while a flush is running waits for the next one,
/// which then covers everyone who asked meanwhile. One fsync serves a whole burst of batches.
/// </summary>
internal sealed class GroupCommit(Action flush)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _next;
    private bool _running;

    public Task CommitAsync()
    {
        lock (_lock)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var waiter = _next.Task;
            if (!_running)
            {
                _running = true;
                _ = Task.Run(RunAsync);
            }

            return waiter;
        }
    }

    private void RunAsync()
    {
        while (true)
        {
            TaskCompletionSource current;
            lock (_lock)
            {
                if (_next is null)
                {
                    _running = false;
                    return;
                }

                current = _next;
                _next = null;
            }

            try
            {
                flush();
                current.SetResult();
            }
            catch (Exception ex)
            {
                current.SetException(ex);
            }
        }
    }
}
