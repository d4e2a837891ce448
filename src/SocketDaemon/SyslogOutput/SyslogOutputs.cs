using Microsoft.Extensions.Logging;

namespace SocketDaemon.SyslogOutput;

/// <summary>
/// The Syslog handlers, one per spool directory: a pipeline rebuilt on reload gets the running handler back when its
/// step is unchanged (a spool has one writer), a fresh one when it changed. Stopped with the host.
/// </summary>
public sealed class SyslogOutputs(ILogger<SyslogHandler> logger) : IAsyncDisposable
{
    private readonly Dictionary<string, SyslogHandler> _handlers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The handler for <paramref name="options"/>.</summary>
    public SyslogHandler Get(SyslogOutputOptions options)
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

                running.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            return _handlers[key] = new SyslogHandler(options, logger);
        }
    }

    /// <summary>The running handlers, one per Syslog step.</summary>
    public IReadOnlyList<SyslogHandler> Running
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
        SyslogHandler[] handlers;
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
