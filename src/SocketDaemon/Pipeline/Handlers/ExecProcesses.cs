namespace SocketDaemon.Pipeline.Handlers;

/// <summary>The Exec handlers' child processes, stopped with the host.</summary>
public sealed class ExecProcesses : IAsyncDisposable
{
    private readonly List<ExecHandler> _handlers = [];
    private readonly Lock _lock = new();

    internal void Add(ExecHandler handler)
    {
        lock (_lock)
        {
            _handlers.Add(handler);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        ExecHandler[] handlers;
        lock (_lock)
        {
            handlers = [.. _handlers];
            _handlers.Clear();
        }

        foreach (var handler in handlers)
        {
            await handler.DisposeAsync();
        }
    }
}
