using Microsoft.Extensions.Logging;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// The Forward handlers, one per spool directory: a pipeline rebuilt on reload gets the running handler back when its
/// step is unchanged (a spool has one writer), a fresh one when it changed. Stopped with the host.
/// </summary>
public sealed class ForwardHandlers(ILogger<ForwardHandler> logger) : IAsyncDisposable
{
    private readonly Dictionary<string, ForwardHandler> _handlers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The handler for <paramref name="options"/>.</summary>
    public ForwardHandler Get(ForwardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_lock)
        {
            var key = Path.GetFullPath(options.Spool);
            if (_handlers.TryGetValue(key, out var running))
            {
                if (running.Options.SameAs(options))
                {
                    return running;
                }

                // The spool is handed over: the old sender stops before the new one opens the same files.
                running.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            return _handlers[key] = new ForwardHandler(options, logger);
        }
    }

    /// <summary>The running handlers, one per Forward step.</summary>
    public IReadOnlyList<ForwardHandler> Running
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
        ForwardHandler[] handlers;
        lock (_lock)
        {
            handlers = [.. _handlers.Values];
            _handlers.Clear();
        }

        foreach (var handler in handlers)
        {
            await handler.DisposeAsync();
        }
    }
}
