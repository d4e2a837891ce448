using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Hosting;
using SocketDaemon.Pipeline;
using SocketDaemon.Status;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// Binds every configured listener at start and, at stop, unbinds them, lets open connections finish their frames,
/// and removes the socket files it created.
/// </summary>
internal sealed class ListenerHostedService : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly SocketDaemonOptions _options;
    private readonly MessagePipeline _pipeline;
    private readonly ListenerRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ConnectionManager _connections;
    private readonly List<StreamListener> _listeners = [];

    public ListenerHostedService(
        IOptions<SocketDaemonOptions> options,
        MessagePipeline pipeline,
        ListenerRegistry registry,
        IServiceProvider services,
        ILoggerFactory loggerFactory,
        SocketDaemonMetrics metrics)
    {
        // Created with the service so that its instruments exist from the start; it reads the registry.
        _ = metrics;
        _options = options.Value;
        _pipeline = pipeline;
        _registry = registry;
        _services = services;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("SocketDaemon.Listeners");
        _connections = new ConnectionManager(_logger);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bound = new List<BoundListener>();
        try
        {
            foreach (var (name, listenerOptions) in _options.Listeners)
            {
                if (!listenerOptions.Enabled)
                {
                    continue;
                }

                var endpoint = SocketEndpoint.Parse(listenerOptions.Endpoint!);
                var info = new BoundListener(name, endpoint, listenerOptions.Framing);
                var context = new ListenerContext(info, listenerOptions, _options.Limits, _pipeline.Handler, _services, _logger);
                var listener = new StreamListener(context, endpoint, _connections, _loggerFactory);
                await listener.BindAsync(cancellationToken);
                _listeners.Add(listener);
                bound.Add(info);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }

        _registry.Set(bound);
        _registry.Accepting = true;
        foreach (var listener in _listeners)
        {
            listener.StartAccepting();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The order of a graceful stop: no new connections, then let the open ones finish, then close the rest.
        _registry.Accepting = false;
        await Task.WhenAll(_listeners.Select(l => l.UnbindAsync()));
        await _connections.DrainAsync(_options.ShutdownTimeout);
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        _listeners.Clear();
    }

    public void Dispose() => _connections.Dispose();
}
