using Microsoft.Extensions.Logging;
using SocketDaemon.Diagnostics;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Connections;

/// <summary>The operational log of listeners and connections, with stable event ids.</summary>
/// <remarks>Enums are passed as strings: Serilog would otherwise quote them in the file, and operators grep for <c>(Oversize)</c>.</remarks>
internal static partial class ListenerLog
{
    [LoggerMessage(EventIds.ListenerBound, LogLevel.Information, "Listener {Listener} bound to {Endpoint} (framing {Framing}, backlog {Backlog})")]
    public static partial void Bound(ILogger logger, string listener, string endpoint, string framing, int backlog);

    [LoggerMessage(EventIds.DatagramListenerBound, LogLevel.Information, "Listener {Listener} bound to {Endpoint} (one datagram, one message; receive buffer {ReceiveBuffer} bytes)")]
    public static partial void DatagramBound(ILogger logger, string listener, string endpoint, int receiveBuffer);

    [LoggerMessage(EventIds.StaleSocketRemoved, LogLevel.Warning, "Listener {Listener}: removed stale socket file {Path} left by a process that is gone")]
    public static partial void StaleSocketRemoved(ILogger logger, string listener, string path);

    [LoggerMessage(EventIds.ListenerUnbound, LogLevel.Information, "Listener {Listener} stopped accepting; removed {Path}")]
    public static partial void Unbound(ILogger logger, string listener, string path);

    [LoggerMessage(EventIds.ConnectionOpened, LogLevel.Debug, "Listener {Listener}: connection #{ConnectionId} from {Peer} opened")]
    public static partial void ConnectionOpened(ILogger logger, string listener, long connectionId, PeerInfo peer);

    [LoggerMessage(EventIds.FramingDetected, LogLevel.Debug, "Listener {Listener}: connection #{ConnectionId} from {Peer} uses {Framing} framing")]
    public static partial void FramingDetected(ILogger logger, string listener, long connectionId, PeerInfo peer, string framing);

    [LoggerMessage(EventIds.ConnectionClosed, LogLevel.Debug, "Listener {Listener}: connection #{ConnectionId} from {Peer} closed after {Messages} messages")]
    public static partial void ConnectionClosed(ILogger logger, string listener, long connectionId, PeerInfo peer, long messages);

    [LoggerMessage(EventIds.BadFrame, LogLevel.Warning, "Listener {Listener}: closing connection #{ConnectionId} from {Peer}: {Reason} ({Error})")]
    public static partial void BadFrame(ILogger logger, string listener, long connectionId, PeerInfo peer, string reason, string error);

    [LoggerMessage(EventId = EventIds.IdleTimeout, Message = "Listener {Listener}: closing connection #{ConnectionId} from {Peer}: idle for {Timeout} (idle_timeout)")]
    public static partial void IdleTimeout(ILogger logger, LogLevel level, string listener, long connectionId, PeerInfo peer, TimeSpan timeout);

    [LoggerMessage(EventIds.ConnectionLimit, LogLevel.Warning, "Listener {Listener}: refusing connection from {Peer}: {Open} connections open, MaxConnections is {Limit}")]
    public static partial void ConnectionLimit(ILogger logger, string listener, PeerInfo peer, long open, int limit);

    [LoggerMessage(EventIds.HandlerFailed, LogLevel.Error, "Listener {Listener}: closing connection #{ConnectionId} from {Peer}: a handler failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string listener, long connectionId, PeerInfo peer);

    [LoggerMessage(EventIds.NativeBatchMessageFailed, LogLevel.Error, "Listener {Listener}: connection #{ConnectionId}: message {Index} of a batch failed in the pipeline")]
    public static partial void BatchMessageFailed(ILogger logger, Exception exception, string listener, long connectionId, int index);

    [LoggerMessage(EventIds.ConnectionReset, LogLevel.Debug, "Listener {Listener}: connection #{ConnectionId} from {Peer} reset by the peer")]
    public static partial void ConnectionReset(ILogger logger, string listener, long connectionId, PeerInfo peer);

    [LoggerMessage(EventIds.AcceptFailed, LogLevel.Warning, "Listener {Listener}: accept failed; accepting goes on")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, string listener);

    [LoggerMessage(EventIds.DatagramDropped, LogLevel.Warning, "Listener {Listener}: dropped a datagram from {Peer}: longer than MaxMessageBytes {Limit} (Oversize)")]
    public static partial void DatagramDropped(ILogger logger, string listener, PeerInfo peer, int limit);

    [LoggerMessage(EventIds.Draining, LogLevel.Information, "Stopping: finishing frames on {Count} open connections (at most {Timeout})")]
    public static partial void Draining(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(EventIds.DrainTimedOut, LogLevel.Warning, "Stopping: {Count} connections still busy after {Timeout}; closing them")]
    public static partial void DrainTimedOut(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(EventIds.ConnectionHandedOver, LogLevel.Information, "Listener {Listener}: connection #{ConnectionId} from {Peer} handed over to the next run through systemd's store after {Messages} messages, with {PendingBytes} bytes of a frame under way")]
    public static partial void ConnectionHandedOver(ILogger logger, string listener, long connectionId, PeerInfo peer, long messages, long pendingBytes);

    [LoggerMessage(EventIds.ConnectionResumed, LogLevel.Information, "Listener {Listener}: took back connection #{ConnectionId} from {Peer} from systemd's store ({Framing}, {PendingBytes} bytes of a frame under way)")]
    public static partial void ConnectionResumed(ILogger logger, string listener, long connectionId, PeerInfo peer, string framing, int pendingBytes);

    [LoggerMessage(EventIds.ListenerResumed, LogLevel.Information, "Listener {Listener}: took back its listening socket {Endpoint} from systemd's store")]
    public static partial void ListenerResumed(ILogger logger, string listener, string endpoint);

    [LoggerMessage(EventIds.StoredListenerMismatch, LogLevel.Warning, "Listener {Listener}: the stored listening socket is bound to {Stored}, not the configured {Configured}; closed it and binding anew")]
    public static partial void StoredListenerMismatch(ILogger logger, string listener, string stored, string configured);

    [LoggerMessage(EventIds.ListenerConnectionLimit, LogLevel.Warning, "Listener {Listener}: refusing connection from {Peer}: {Open} connections open on the listener, its MaxConnections is {Limit}")]
    public static partial void ListenerConnectionLimit(ILogger logger, string listener, PeerInfo peer, long open, int limit);

    [LoggerMessage(EventIds.PeerConnectionLimit, LogLevel.Warning, "Listener {Listener}: refusing connection from {Peer}: it has {Open} connections open, MaxConnectionsPerPeer is {Limit}")]
    public static partial void PeerConnectionLimit(ILogger logger, string listener, PeerInfo peer, long open, int limit);

    [LoggerMessage(EventIds.MaxConnectionAge, LogLevel.Information, "Listener {Listener}: closing connection #{ConnectionId} from {Peer}: older than MaxConnectionAge {Age}")]
    public static partial void MaxConnectionAge(ILogger logger, string listener, long connectionId, PeerInfo peer, TimeSpan age);

    [LoggerMessage(EventIds.OversizeDropped, LogLevel.Warning, "Listener {Listener}: connection #{ConnectionId} from {Peer}: dropped a frame longer than MaxMessageBytes {Limit} (Oversize: drop)")]
    public static partial void OversizeDropped(ILogger logger, string listener, long connectionId, PeerInfo peer, int limit);

    [LoggerMessage(EventIds.OversizeTruncated, LogLevel.Warning, "Listener {Listener}: connection #{ConnectionId} from {Peer}: cut a frame to MaxMessageBytes {Limit} (Oversize: truncate)")]
    public static partial void OversizeTruncated(ILogger logger, string listener, long connectionId, PeerInfo peer, int limit);

    [LoggerMessage(EventIds.RateLimited, LogLevel.Warning, "Listener {Listener}: connection #{ConnectionId} from {Peer} is over its rate limit; its messages are dropped while it is (Action: reject)")]
    public static partial void RateLimited(ILogger logger, string listener, long connectionId, PeerInfo peer);

    [LoggerMessage(EventIds.AccessDenied, LogLevel.Warning, "Listener {Listener}: refusing {Peer}: {Reason} (access_denied)")]
    public static partial void AccessDenied(ILogger logger, string listener, PeerInfo peer, string reason);

    [LoggerMessage(EventIds.TlsHandshakeFailed, LogLevel.Warning, "Listener {Listener}: closing connection #{ConnectionId} from {Peer}: TLS handshake failed: {Reason} (tls_handshake)")]
    public static partial void TlsHandshakeFailed(ILogger logger, string listener, long connectionId, PeerInfo peer, string reason);

    [LoggerMessage(EventIds.BadProxyHeader, LogLevel.Warning, "Listener {Listener}: closing connection #{ConnectionId} from {Peer}: {Reason} (proxy_header)")]
    public static partial void BadProxyHeader(ILogger logger, string listener, long connectionId, PeerInfo peer, string reason);

    [LoggerMessage(EventIds.ListenerOpenToNetwork, LogLevel.Warning, "Listener {Listener} listens on {Endpoint}, beyond this machine, with no AllowAddresses and no TLS: anyone who reaches it may send")]
    public static partial void OpenToNetwork(ILogger logger, string listener, string endpoint);
}
