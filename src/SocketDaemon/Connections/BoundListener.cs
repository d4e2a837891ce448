using System.Collections.Concurrent;
using SocketDaemon.Client;
using SocketDaemon.Framing;
using SocketDaemon.Transport;

namespace SocketDaemon.Connections;

/// <summary>A listener the daemon has bound, and what it has seen.</summary>
public sealed class BoundListener
{
    private long _connections;
    private long _openConnections;
    private long _messages;
    private long _bytes;
    private long _errors;
    private long _datagramsDropped;
    private readonly ConcurrentDictionary<string, long> _errorsByReason = new(StringComparer.Ordinal);

    internal BoundListener(string name, SocketEndpoint endpoint, FramingKind framing)
    {
        Name = name;
        Endpoint = endpoint;
        Framing = framing;
    }

    /// <summary>The listener's name in configuration.</summary>
    public string Name { get; }

    /// <summary>The endpoint as bound: for TCP port 0, the port the system chose.</summary>
    public SocketEndpoint Endpoint { get; internal set; }

    /// <summary>The configured framing.</summary>
    public FramingKind Framing { get; }

    /// <summary>Whether <c>quit</c> may stop the daemon through this listener (<c>AllowQuit</c>).</summary>
    internal bool AllowQuit { get; init; } = true;

    /// <summary>Whether this listener answers status, metrics and tail requests (<c>AllowStatus</c>).</summary>
    internal bool AllowStatus { get; init; } = true;

    /// <summary>The receive buffers its stream connections hold: none while they are idle.</summary>
    internal ReceiveBufferPool ReceiveBuffers { get; } = new();

    /// <summary>Connections accepted since start.</summary>
    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Connections open now.</summary>
    public long OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>Messages read since start.</summary>
    public long Messages => Volatile.Read(ref _messages);

    /// <summary>Message bytes read since start, without framing.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Connections closed, or messages refused, for bad input, limits or timeouts since start.</summary>
    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Whether this is a <c>unixgram:</c> or <c>udp:</c> listener.</summary>
    public bool IsDatagram => Endpoint.Kind is SocketEndpointKind.UnixDatagram or SocketEndpointKind.Udp;

    /// <summary>
    /// Datagram listeners: datagrams the kernel dropped because the socket's receive buffer was full
    /// (<c>SO_RXQ_OVFL</c>), never read and so never counted in <see cref="Messages"/>.
    /// </summary>
    public long DatagramsDropped => Volatile.Read(ref _datagramsDropped);

    /// <summary><see cref="Errors"/> by reason (<c>oversize</c>, <c>truncated</c>, ...).</summary>
    public IReadOnlyDictionary<string, long> ErrorsByReason => new Dictionary<string, long>(_errorsByReason, StringComparer.Ordinal);

    internal void ConnectionOpened()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _openConnections);
    }

    internal void ConnectionClosed() => Interlocked.Decrement(ref _openConnections);

    internal void MessageRead(long bytes) => MessagesRead(1, bytes);

    internal void MessagesRead(long messages, long bytes)
    {
        Interlocked.Add(ref _messages, messages);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void DatagramsDroppedSeen(long count) => Interlocked.Add(ref _datagramsDropped, count);

    internal void ErrorSeen(string reason)
    {
        _errorsByReason.AddOrUpdate(reason, 1, static (_, count) => count + 1);
        Interlocked.Increment(ref _errors);
    }
}
