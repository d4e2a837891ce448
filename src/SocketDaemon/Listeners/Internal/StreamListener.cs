using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client;
using SocketDaemon.Framing;
using SocketDaemon.Internal;
using SocketDaemon.Connections;
using SocketDaemon.Transport;
using SocketDaemon.Pipeline;
using SocketDaemon.Systemd;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// One stream listener: binds (or takes the socket systemd passed), accepts, and hands each connection to a
/// <see cref="StreamConnection"/> over a <see cref="SocketConnection"/>.
/// </summary>
internal sealed class StreamListener : IListener
{
    private readonly ListenerContext _context;
    private readonly SocketEndpoint _endpoint;
    private readonly ConnectionManager _connections;
    private static readonly TimeSpan BacklogDrainTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How much one receive takes from the kernel at most, once data flows: large enough that a bulk sender costs few
    /// syscalls, small enough to stay in cache (docs/performance-history.md).
    /// Receives start at 4 KiB and grow while they come back full; an idle connection holds no buffer at all.
    /// </summary>
    internal const int ReceiveBytes = 64 * 1024;

    private Socket? _listenSocket;
    private Task _acceptLoop = Task.CompletedTask;
    private readonly FileDescriptorStore _store;
    private readonly CancellationTokenSource _stopAccepting = new();
    private ActivatedSocket? _activated;
    private bool _ownsSocketFile;
    private bool _unbound;

    // The listening socket lives on after this process: systemd's store or a socket unit holds it.
    private bool _outlivesProcess;

    /// <summary>A listener that binds <paramref name="endpoint"/>, or takes the socket systemd passed as <paramref name="activated"/>.</summary>
    public StreamListener(ListenerContext context, SocketEndpoint endpoint, ConnectionManager connections, FileDescriptorStore store, ActivatedSocket? activated = null)
    {
        _context = context;
        _endpoint = endpoint;
        _activated = activated;
        _connections = connections;
        _store = store;
    }

    /// <summary>The listener's name, as its connections are stored under.</summary>
    public string Name => _context.Name;

    public async Task BindAsync(CancellationToken cancellationToken)
    {
        var name = _context.Name;
        var fromStore = false;
        if (_activated is null && StoredListener.TryTake(_store, _context, _endpoint, SocketType.Stream) is { } stored)
        {
            // Taken as systemd passes a socket unit's: bound, listening, its file left alone. Clients that connected
            // while no daemon ran wait in its backlog.
            _activated = stored;
            fromStore = true;
        }

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
        var endPoint = _activated is null ? await ListenerBinding.ResolveAsync(name, _endpoint, cancellationToken) : null;
        try
        {
            _listenSocket = Listen(endPoint, backlog, path, createdDirectory);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
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
        if (_listenSocket.LocalEndPoint is IPEndPoint bound)
        {
            _context.Listener.Endpoint = SocketEndpoint.FromIPEndPoint(bound);
        }
        else if (fromStore && _activated!.Endpoint is { Kind: SocketEndpointKind.Tcp } resumed)
        {
            _context.Listener.Endpoint = resumed;
        }

        if (_store.IsEnabled && _activated is null)
        {
            // Stored at once, not at the stop: after a crash the next run takes it back all the same.
            _outlivesProcess = _store.Add(StoredDescriptorName.ForListener(name), _listenSocket.SafeHandle);
            _ownsSocketFile &= !_outlivesProcess;
        }

        _outlivesProcess |= _store.IsEnabled && _activated is not null;

        ListenerLog.Bound(_context.Logger, name, _context.Listener.Endpoint.ToString(), _context.Options.Framing.ToString(), backlog);
        ListenerBinding.WarnIfOpenToNetwork(_context, _listenSocket.LocalEndPoint);
    }

    /// <summary>
    /// The listening socket: <paramref name="endPoint"/> bound, or systemd's socket when it is null; listen(2) with
    /// <paramref name="backlog"/> either way.
    /// </summary>
    private Socket Listen(EndPoint? endPoint, int backlog, string? path, string? createdDirectory)
    {
        Socket socket;
        if (endPoint is null)
        {
            socket = new Socket(new SafeSocketHandle(_activated!.FileDescriptor, ownsHandle: true));
        }
        else
        {
            socket = new Socket(endPoint.AddressFamily, SocketType.Stream, endPoint is IPEndPoint ? ProtocolType.Tcp : ProtocolType.Unspecified);
            try
            {
                if (endPoint is IPEndPoint { Address: var address } && address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }

                socket.Bind(endPoint);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            if (path is not null)
            {
                // Between bind(2) and listen(2) nobody can connect yet, so the file never has the umask's mode
                // while it accepts.
                try
                {
                    UnixSocketFile.SetAccess(_context.Name, path, _context.Options, createdDirectory);
                }
                catch
                {
                    socket.Dispose();
                    UnixSocketFile.Remove(path);
                    throw;
                }
            }
        }

        try
        {
            socket.Listen(backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return socket;
    }

    public void StartAccepting() => _acceptLoop = AcceptLoopAsync();

    /// <summary>Stops accepting: new connections are refused from here on; open ones go on.</summary>
    public async Task UnbindAsync()
    {
        if (_listenSocket is null || _unbound)
        {
            return;
        }

        _unbound = true;

        if (_outlivesProcess)
        {
            // Connections queued in the backlog stay queued for the next run, and the socket file stays in place:
            // stop accepting, and leave the socket to the store (or socket unit) that holds it.
            await _stopAccepting.CancelAsync();
            await _acceptLoop;
            HandedOverSockets.Keep(_listenSocket);
            _listenSocket = null;
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

        await _stopAccepting.CancelAsync();
        _listenSocket.Dispose();
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
        if (!_unbound && _listenSocket is not null)
        {
            await _stopAccepting.CancelAsync();
            _listenSocket.Dispose();
            await _acceptLoop;
        }

        _stopAccepting.Dispose();

        if (_ownsSocketFile && _endpoint.Path is { } path)
        {
            UnixSocketFile.Remove(path);
            ListenerLog.Unbound(_context.Logger, _context.Name, path);
        }
    }

    /// <summary>Takes back a connection an earlier run left in systemd's store; it goes on where that run stopped.</summary>
    public void Resume(StoredConnection stored) => StoredConnectionResume.Resume(stored, _context, _connections, _store);

    private bool ResumesConnections => StoredConnectionResume.IsPossible(_context);

    /// <summary>The next connection's socket, or null once the listener stops accepting.</summary>
    private async ValueTask<Socket?> AcceptAsync()
    {
        try
        {
            var socket = await _listenSocket!.AcceptAsync(_stopAccepting.Token);
            // By the family, not LocalEndPoint: that would make (and keep) an endpoint object for every connection.
            if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                // Replies (acknowledgements, HTTP) are small and awaited: never held back for Nagle.
                socket.NoDelay = true;
            }

            return socket;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException
            || ex is SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.Interrupted })
        {
            return null;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket? socket;
            try
            {
                socket = await AcceptAsync();
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                // One failed accept (a peer gone from the backlog, a descriptor limit) must not end all accepting.
                ListenerLog.AcceptFailed(_context.Logger, ex, _context.Name);
                await Task.Delay(10);
                continue;
            }

            if (socket is null)
            {
                return;
            }

            var peer = PeerCredentials.Read(socket);
            var peerKey = PeerConnections.KeyOf(peer);
            if (Refuse(peer, peerKey) is { } reason)
            {
                // Refused before a byte is read: closed at once, the established connections untouched.
                _context.Listener.ErrorSeen(reason);
                Close(socket);
                continue;
            }

            // Checked before the connection counts as open; behind a PROXY header the source is known only once it is read.
            if (_context.Access.IsRestricted && !_context.Options.ProxyProtocol && !_context.Access.Allows(peer, out var denied))
            {
                _context.Listener.ErrorSeen(ErrorReasons.AccessDenied);
                ListenerLog.AccessDenied(_context.Logger, _context.Name, peer, denied);
                _context.Peers.Close(peerKey);
                Close(socket);
                continue;
            }

            var id = _connections.NextId();
            ConnectionStoreEntry? entry = null;
            if (_store.IsEnabled && ResumesConnections)
            {
                // Stored as soon as accepted, so that a crash right after does not drop it.
                entry = new ConnectionStoreEntry(_store, id, _context.Name, socket);
                entry.Store(_context.Options.Framing);
            }

            var transport = new SocketConnection(socket, [], _context.ReceiveBuffers, ReceiveBytes, peek: entry is { IsStored: true } && _store.ConsumesWhenLogged);
            var connection = new StreamConnection(transport, _context, id, peer, peerKey, _connections, entry);
            _connections.Track(id, connection);
        }
    }

    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The peer is gone already.
        }

        socket.Dispose();
    }

    /// <summary>Which limit, if any, a new connection of <paramref name="peer"/> is over; counts it for its peer if none.</summary>
    private string? Refuse(PeerInfo peer, string peerKey)
    {
        var limits = _context.Limits;
        if (_connections.Count >= limits.MaxConnections)
        {
            ListenerLog.ConnectionLimit(_context.Logger, _context.Name, peer, _connections.Count, limits.MaxConnections);
            return ErrorReasons.ConnectionLimit;
        }

        if (limits.ListenerMaxConnections is { } listenerLimit && _context.Listener.OpenConnections >= listenerLimit)
        {
            ListenerLog.ListenerConnectionLimit(_context.Logger, _context.Name, peer, _context.Listener.OpenConnections, listenerLimit);
            return ErrorReasons.ListenerConnectionLimit;
        }

        // Behind a PROXY header the peer here is the load balancer, counted without a limit: the connection is counted
        // (and limited) under the source the header names once it is read (StreamConnection.AdmitAsync).
        var perPeer = _context.Options.ProxyProtocol ? null : limits.MaxConnectionsPerPeer;
        if (!_context.Peers.TryOpen(peerKey, perPeer, out var open))
        {
            ListenerLog.PeerConnectionLimit(_context.Logger, _context.Name, peer, open, limits.MaxConnectionsPerPeer!.Value);
            return ErrorReasons.PeerConnectionLimit;
        }

        return null;
    }
}
