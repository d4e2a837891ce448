namespace SocketDaemon.Connections;

/// <summary>
/// Ends a connection's processing at a stop without closing it: systemd's store holds it, and the bytes read but not
/// yet a message are stored beside it, for the next run to take over.
/// </summary>
internal sealed class ConnectionHandedOverException(long pendingBytes) : Exception($"handed over with {pendingBytes} pending bytes")
{
    /// <summary>How many bytes, read but not yet a message, went to the store with the connection.</summary>
    public long PendingBytes { get; } = pendingBytes;
}
