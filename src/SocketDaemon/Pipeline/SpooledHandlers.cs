namespace SocketDaemon.Pipeline;

/// <summary>
/// The handlers of one kind of spooled output, one per spool directory: a pipeline rebuilt on reload gets the running
/// handler back when its step is unchanged (a spool has one writer), a fresh one when it changed. Stopped with the host.
/// </summary>
/// <typeparam name="THandler">The handler, which owns its spool until disposed.</typeparam>
/// <typeparam name="TOptions">What the handler is made from.</typeparam>
public abstract class SpooledHandlers<THandler, TOptions> : IAsyncDisposable
    where THandler : class, IAsyncDisposable
    where TOptions : class
{
    private readonly Dictionary<string, THandler> _handlers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The handler for <paramref name="options"/>.</summary>
    public THandler Get(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_lock)
        {
            var key = Path.GetFullPath(SpoolOf(options));
            if (_handlers.TryGetValue(key, out var running))
            {
                if (IsUnchanged(running, options))
                {
                    return running;
                }

                // The spool is handed over: the old sender stops before the new one opens the same files.
                running.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            return _handlers[key] = Create(options);
        }
    }

    /// <summary>The running handlers, one per step.</summary>
    public IReadOnlyList<THandler> Running
    {
        get
        {
            lock (_lock)
            {
                return [.. _handlers.Values];
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        THandler[] handlers;
        lock (_lock)
        {
            handlers = [.. _handlers.Values];
            _handlers.Clear();
        }

        foreach (var handler in handlers)
        {
            await handler.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The spool directory of <paramref name="options"/>: the key of its handler.</summary>
    protected abstract string SpoolOf(TOptions options);

    /// <summary>Whether <paramref name="running"/> was made from options the same as <paramref name="options"/>.</summary>
    protected abstract bool IsUnchanged(THandler running, TOptions options);

    /// <summary>A new handler for <paramref name="options"/>.</summary>
    protected abstract THandler Create(TOptions options);
}
