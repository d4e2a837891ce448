using SocketDaemon.Proxy;

namespace SocketDaemon.Connections;

/// <summary>
/// What comes before a connection's own bytes, before anything of them is read: the PROXY header (whose source then is
/// the peer, checked against the allow lists and counted against <c>MaxConnectionsPerPeer</c>), then the TLS handshake.
/// </summary>
internal static class ConnectionAdmission
{
    /// <summary>Returns whether the connection may go on; a refusal is counted and logged.</summary>
    /// <exception cref="ProxyHeaderException">The connection did not start with a valid PROXY header in time.</exception>
    public static async Task<bool> AdmitAsync(StreamConnection connection)
    {
        var listener = connection.Listener;
        if (listener.Options.ProxyProtocol)
        {
            if (await ReadProxyHeaderAsync(connection) is { Source: { } source })
            {
                connection.Peer = connection.Peer.WithProxiedSource(source);
                if (!MoveToProxiedPeer(connection))
                {
                    return false;
                }
            }

            if (!listener.Access.Allows(connection.Peer, out var reason))
            {
                listener.Listener.ErrorSeen(ErrorReasons.AccessDenied);
                ListenerLog.AccessDenied(listener.Logger, listener.Name, connection.Peer, reason);
                return false;
            }
        }

        if (listener.Tls is not { } tls)
        {
            return true;
        }

        if (await TlsSession.StartAsync(connection, tls) is not { } session)
        {
            return false;
        }

        connection.UseTls(session);
        return true;
    }

    /// <summary>
    /// Counts the connection under the source the PROXY header named instead of the load balancer it came through (which
    /// the accept counted, without a limit): MaxConnectionsPerPeer and the per-peer rate limit are the client's.
    /// Returns false, counted and logged, when that source is over MaxConnectionsPerPeer.
    /// </summary>
    private static bool MoveToProxiedPeer(StreamConnection connection)
    {
        var listener = connection.Listener;
        var key = PeerConnections.KeyOf(connection.Peer);
        var peers = listener.Peers;
        var limit = listener.Limits.MaxConnectionsPerPeer;
        peers.Close(connection.PeerKey);
        if (peers.TryOpen(key, limit, out var open))
        {
            connection.PeerKey = key;
            return true;
        }

        // Counted again under the balancer, which the close at the end of the connection takes off.
        peers.TryOpen(connection.PeerKey, limit: null, out _);
        listener.Listener.ErrorSeen(ErrorReasons.PeerConnectionLimit);
        ListenerLog.PeerConnectionLimit(listener.Logger, listener.Name, connection.Peer, open, limit!.Value);
        return false;
    }

    private static async Task<ProxyHeader?> ReadProxyHeaderAsync(StreamConnection connection)
    {
        var input = connection.Input;
        var timeout = connection.Listener.Limits.FrameTimeout;
        while (true)
        {
            if (await connection.ReadAsync(timeout) is not { } result)
            {
                throw new ProxyHeaderException($"no PROXY header within {timeout.TotalSeconds:0.###} s");
            }

            var buffer = result.Buffer;
            if (ProxyHeaderDecoder.TryDecode(buffer, out var header, out var consumed))
            {
                input.AdvanceTo(consumed);
                return header;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new ProxyHeaderException("the connection closed inside its PROXY header");
            }
        }
    }
}
