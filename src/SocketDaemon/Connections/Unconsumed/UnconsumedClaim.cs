using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Connections.Unconsumed;

/// <summary>
/// A chunk of a stored connection's lines that, once in the file, proves the lines of the first <see cref="Bytes"/>
/// bytes its socket holds are logged: those bytes leave the socket after the write, and the socket's peek offset
/// stands at <see cref="Marker"/> until they do (<see cref="UnconsumedJournal"/>).
/// </summary>
internal sealed class UnconsumedClaim(UnconsumedJournal journal, long connectionId, int marker, int bytes) : LogClaim(journal, (ulong)marker)
{
    /// <summary>The connection (its id in systemd's store).</summary>
    public long ConnectionId { get; } = connectionId;

    /// <summary>The socket's peek offset while the bytes are still in it.</summary>
    public int Marker { get; } = marker;

    /// <summary>How many bytes leave the socket once the chunk is written.</summary>
    public int Bytes { get; } = bytes;
}
