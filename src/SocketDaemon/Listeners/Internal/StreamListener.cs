using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Hosting;
using SocketDaemon.Listeners.Systemd;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// One stream listener on Kestrel's socket transport: binds, accepts, and hands each connection to a
/// <see cref="StreamConnection"/>.
/// </summary>
internal sealed class StreamListener : IListener
{
    private readonly ListenerContext _context;
    private readonly SocketEndpoint _endpoint;
    private readonly ConnectionManager _connections;
    private readonly ILoggerFactory _loggerFactory;
    private static readonly TimeSpan BacklogDrainTimeout = TimeSpan.FromSeconds(1);

    private IConnectionListener? _listener;
    private Socket? _listenSocket;
    private Task _acceptLoop = Task.CompletedTask;
    private readonly ActivatedSocket? _activated;
    private bool _ownsSocketFile;

    /// <summary>A listener that binds <paramref name="endpoint"/>, or takes the socket systemd passed as <paramref name="activated"/>.</summary>
    public StreamListener(ListenerContext context, SocketEndpoint endpoint, ConnectionManager connections, ILoggerFactory loggerFactory, ActivatedSocket? activated = null)
    {
        _context = context;
        _endpoint = endpoint;
        _activated = activated;
        _connections = connections;
        _loggerFactory = loggerFactory;
    }

    public async Task BindAsync(CancellationToken cancellationToken)
    {
        var name = _context.Name;

        // A socket systemd passed is bound and listening already, and its file is systemd's to keep: take it as it is.
        var path = _activated is null ? _endpoint.Path : null;
        // The runtime directory of the built-in endpoint may not exist yet.
        var createdDirectory = path is null ? null : UnixSocketFile.CreateDirectory(path);

        if (path is not null && await UnixSocketFile.ClearStaleAsync(name, path, cancellationToken))
        {
            ListenerLog.StaleSocketRemoved(_context.Logger, name, path);
        }

        // listen(2) runs again on a passed socket too; unless configured, keep what systemd gives (Backlog=, SOMAXCONN).
        var backlog = _context.Options.Backlog
            ?? (_activated is not null ? ListenerOptions.SystemdBacklog
                : _endpoint.Kind == SocketEndpointKind.Unix ? ListenerOptions.ClassicBacklog
                : ListenerOptions.TcpBacklog);
        var transportOptions = new SocketTransportOptions
        {
            Backlog = backlog,
            CreateBoundListenSocket = endPoint =>
            {
                var socket = _listenSocket = SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint);
                if (path is not null)
                {
                    // Between bind(2) and listen(2) nobody can connect yet, so the file never has the umask's mode
                    // while it accepts.
                    try
                    {
                        UnixSocketFile.SetAccess(name, path, _context.Options, createdDirectory);
                    }
                    catch
                    {
                        socket.Dispose();
                        UnixSocketFile.Remove(path);
                        throw;
                    }
                }

                return socket;
            },
        };

        var factory = new SocketTransportFactory(Options.Create(transportOptions), _loggerFactory);
        var endPoint = _activated is { } activated
            ? new FileHandleEndPoint((ulong)activated.FileDescriptor, FileHandleType.Auto)
            : await ResolveAsync(name, _endpoint, cancellationToken);
        try
        {
            _listener = await factory.BindAsync(endPoint, cancellationToken);
        }
        catch (AddressInUseException ex)
        {
            throw new ListenerBindException(name, $"{_endpoint} is already in use by another process", ex);
        }
        catch (SocketException ex)
        {
            throw new ListenerBindException(name, $"cannot bind {_endpoint}: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ListenerBindException(name, $"cannot set the mode of {path}: {ex.Message}", ex);
        }

        _ownsSocketFile = path is not null;
        if (_listener.EndPoint is IPEndPoint bound)
        {
            _context.Listener.Endpoint = SocketEndpoint.FromIPEndPoint(bound);
        }

        ListenerLog.Bound(_context.Logger, name, _context.Listener.Endpoint.ToString(), _context.Options.Framing.ToString(), backlog);
        WarnIfOpenToNetwork(_context, _listener.EndPoint);
    }

    public void StartAccepting() => _acceptLoop = AcceptLoopAsync();

    /// <summary>Stops accepting: new connections are refused from here on; open ones go on.</summary>
    public async Task UnbindAsync()
    {
        if (_listener is null)
        {
            return;
        }

        // Connections that completed their handshake wait in the backlog until accepted, and closing the listening
        // socket would reset them with what they already sent. So first make a Unix socket unreachable by its
        // path, then let the accept loop take in what is queued, and only then close.
        if (_ownsSocketFile && _endpoint.Path is { } path)
        {
            UnixSocketFile.Remove(path);
        }

        var deadline = DateTime.UtcNow + BacklogDrainTimeout;
        while (HasPendingConnections() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        await _listener.UnbindAsync();
        await _acceptLoop;
    }

    private bool HasPendingConnections()
    {
        try
        {
            // A listening socket polls readable while its backlog holds a connection to accept.
            return _listenSocket?.Poll(0, SelectMode.SelectRead) == true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        if (_ownsSocketFile && _endpoint.Path is { } path)
        {
            UnixSocketFile.Remove(path);
            ListenerLog.Unbound(_context.Logger, _context.Name, path);
        }
    }

    /// <summary>Says so when a listener takes anyone from the network: bound beyond loopback, no allow list, no TLS.</summary>
    internal static void WarnIfOpenToNetwork(ListenerContext context, EndPoint? bound)
    {
        if (bound is IPEndPoint { Address: var address } && !IPAddress.IsLoopback(address) && !context.Access.IsRestricted && context.Tls is null)
        {
            ListenerLog.OpenToNetwork(context.Logger, context.Name, context.Listener.Endpoint.ToString());
        }
    }

    internal static UnixFileMode ParseMode(string mode) =>
        (UnixFileMode)Convert.ToInt32(mode, 8) & (UnixFileMode)0x1FF;

    internal static async Task<EndPoint> ResolveAsync(string listener, SocketEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.EndPoint is not DnsEndPoint dns)
        {
            return endpoint.EndPoint;
        }

        // A name binds its first address, IPv4 first: "localhost" means 127.0.0.1 as most daemons take it.
        var addresses = await Dns.GetHostAddressesAsync(dns.Host, cancellationToken);
        var address = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
            ?? throw new ListenerBindException(listener, $"{dns.Host} has no address");
        return new IPEndPoint(address, dns.Port);
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            ConnectionContext? transport;
            try
            {
                transport = await _listener!.AcceptAsync();
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                // One failed accept (a peer gone from the backlog, a descriptor limit) must not end all accepting.
                ListenerLog.AcceptFailed(_context.Logger, ex, _context.Name);
                await Task.Delay(10);
                continue;
            }

            if (transport is null)
            {
                return;
            }

            var id = _connections.NextId();
            if (_connections.Count >= _context.Limits.MaxConnections)
            {
                var refused = PeerCredentials.Read(transport.Features.Get<IConnectionSocketFeature>()?.Socket);
                ListenerLog.ConnectionLimit(_context.Logger, _context.Name, refused, _connections.Count, _context.Limits.MaxConnections);
                transport.Abort();
                await transport.DisposeAsync();
                continue;
            }

            // Checked before the connection counts as open; behind a PROXY header the source is known only once it is read.
            PeerInfo? peer = null;
            if (_context.Access.IsRestricted && !_context.Options.ProxyProtocol)
            {
                peer = PeerCredentials.Read(transport.Features.Get<IConnectionSocketFeature>()?.Socket);
                if (!_context.Access.Allows(peer, out var reason))
                {
                    _context.Listener.ErrorSeen(ErrorReasons.AccessDenied);
                    ListenerLog.AccessDenied(_context.Logger, _context.Name, peer, reason);
                    transport.Abort();
                    await transport.DisposeAsync();
                    continue;
                }
            }

            var connection = new StreamConnection(transport, _context, id, _connections.Stopping, peer);
            _connections.Track(id, transport, connection);
        }
    }
}
