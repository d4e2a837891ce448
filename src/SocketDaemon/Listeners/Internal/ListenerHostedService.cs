using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using System.Net.Sockets;
using SocketDaemon.Pipeline;
using SocketDaemon.Connections;
using SocketDaemon.Systemd;
using SocketDaemon.Diagnostics;
using SocketDaemon.Configuration;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// Binds every configured listener at start and, at stop, unbinds them, lets open connections finish their frames,
/// and removes the socket files it created.
/// </summary>
internal sealed class ListenerHostedService : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly ListenerSet _options;
    private readonly TimeSpan _shutdownTimeout;
    private readonly MessagePipeline _pipeline;
    private readonly ListenerRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly ConnectionManager _connections;
    private readonly List<IListener> _listeners = [];
    private readonly SocketActivation _activation;
    private readonly FileDescriptorStore _store;
    private readonly List<ListenerContext> _contexts = [];

    public ListenerHostedService(
        IOptions<ListenerSet> options,
        IOptions<SharedSettings> common,
        MessagePipeline pipeline,
        ListenerRegistry registry,
        IServiceProvider services,
        ILoggerFactory loggerFactory,
        ListenerMetrics metrics,
        SocketActivation activation,
        FileDescriptorStore store)
    {
        _activation = activation;
        _store = store;
        // Created with the service so that its instruments exist from the start; it reads the registry.
        _ = metrics;
        _options = options.Value;
        _shutdownTimeout = common.Value.ShutdownTimeout;
        _pipeline = pipeline;
        _registry = registry;
        _services = services;
        _logger = loggerFactory.CreateLogger("SocketDaemon.Listeners");
        _connections = new ConnectionManager(_logger, services.GetService(typeof(TimeProvider)) as TimeProvider);
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

                foreach (var (listenerName, endpoint, activated) in Resolve(name, listenerOptions.Endpoint!))
                {
                    var info = new BoundListener(listenerName, endpoint, listenerOptions.Framing)
                    {
                        AllowQuit = listenerOptions.AllowQuit,
                        AllowStatus = listenerOptions.AllowStatus,
                    };
                    var context = new ListenerContext(info, listenerOptions, _options.Limits, _pipeline, _services, _logger) { ConfigurationName = name };
                    _contexts.Add(context);
                    IListener listener = endpoint.IsNats ? new NatsListener(context, endpoint)
                        : endpoint.IsDatagram || activated?.SocketType == SocketType.Dgram
                        ? new DatagramListener(context, endpoint, activated)
                        : new StreamListener(context, endpoint, _connections, _store, activated);
                    await listener.BindAsync(cancellationToken);
                    _listeners.Add(listener);
                    bound.Add(info);
                }
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }

        ResumeStoredConnections();
        _registry.Set(bound);
        _registry.OpenConnections = () => _connections.Open.Select(c => new Client.Status.ConnectionStatus
        {
            Id = c.Id,
            Listener = c.Listener.Name,
            Peer = c.Peer.ToString(),
            ProcessId = c.Peer.ProcessId,
            UserId = c.Peer.UserId,
            GroupId = c.Peer.GroupId,
            ProcessName = c.Peer.ProcessName,
            ClientCertificate = c.Peer.ClientCertificate,
            Proxy = c.Peer.ProxyEndPoint?.ToString(),
            Framing = c.Framing.ToString().ToLowerInvariant(),
            Messages = c.Messages,
            OpenedAt = c.OpenedAt,
        });
        _registry.Accepting = true;
        foreach (var listener in _listeners)
        {
            listener.StartAccepting();
        }
    }

    /// <summary>
    /// Takes back the connections an earlier run left in systemd's store, each on its listener, before anything is
    /// accepted; what no listener takes (its listener is gone from the configuration) is closed and removed.
    /// </summary>
    private void ResumeStoredConnections()
    {
        var streams = _listeners.OfType<StreamListener>().ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var stored in _store.TakeConnections(streams.Keys.ToHashSet(StringComparer.Ordinal)))
        {
            streams[stored.Name.Listener].Resume(stored);
        }

        _store.DiscardUnclaimed();
    }

    /// <summary>
    /// What one configured listener binds: its endpoint, or for <c>systemd:NAME</c> every socket systemd passed under
    /// that name (the second and later ones named <c>NAME-2</c>, ...).
    /// </summary>
    private IEnumerable<(string Name, SocketEndpoint Endpoint, ActivatedSocket? Activated)> Resolve(string name, string endpoint)
    {
        if (!endpoint.StartsWith(SocketActivation.EndpointPrefix, StringComparison.Ordinal))
        {
            yield return (name, SocketEndpoint.Parse(endpoint), null);
            yield break;
        }

        var fdName = endpoint[SocketActivation.EndpointPrefix.Length..];
        var sockets = _activation.Named(fdName);
        if (sockets.Count == 0)
        {
            var passed = _activation.IsActivated ? string.Join(", ", _activation.Sockets.Select(s => s.Name)) : "none: the daemon was not socket-activated";
            throw new ListenerBindException(name, $"systemd passed no socket named '{fdName}' (FileDescriptorName=); passed: {passed}");
        }

        for (var i = 0; i < sockets.Count; i++)
        {
            var socket = sockets[i];
            if (socket.SocketType is not (SocketType.Stream or SocketType.Dgram) || socket.Endpoint is null)
            {
                throw new ListenerBindException(name, $"the socket systemd passed as '{fdName}' (descriptor {socket.FileDescriptor}) is a {socket.SocketType} socket{(socket.Endpoint is null ? " of a family other than Unix or IP" : string.Empty)}; SocketDaemon serves stream and datagram sockets");
            }

            yield return (i == 0 ? name : $"{name}-{i + 1}", socket.Endpoint, socket);
        }
    }

    /// <summary>Applies reloaded limits to every listener; endpoints need a restart and are left as they are.</summary>
    public void ApplyLimits(LimitsOptions limits)
    {
        foreach (var context in _contexts)
        {
            context.ApplyLimits(limits);
        }

        _connections.WakeAll();
    }

    /// <summary>Applies reloaded limits, and each listener's own limits, to every listener.</summary>
    public void ApplyLimits(ListenerSet options)
    {
        foreach (var context in _contexts)
        {
            context.ApplyLimits(options.Limits, options.Listeners.GetValueOrDefault(context.ConfigurationName));
        }

        _connections.WakeAll();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The order of a graceful stop: no new connections, then let the open ones finish, then close the rest.
        _registry.Accepting = false;
        await Task.WhenAll(_listeners.Select(l => l.UnbindAsync()));
        await _connections.DrainAsync(_shutdownTimeout);
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        _listeners.Clear();
        foreach (var context in _contexts)
        {
            context.Limits.RateLimiter?.Dispose();
        }
    }

    public void Dispose() => _connections.Dispose();
}
