using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Diagnostics;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Configuration;
using SocketDaemon.Internal;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Transport;

namespace SocketDaemon.Connections.Unconsumed;

/// <summary>
/// For connections in systemd's store whose bytes leave the socket only once their lines are logged
/// (<see cref="LoggedConsumption"/>): the last claim of each, recorded before the write of its lines, so that a run
/// after a kill can tell whether the bytes of lines that reached the file had left the socket. Kept in a
/// <see cref="DiskSpool"/> under <c>StateDirectory</c>/unconsumed.
/// </summary>
/// <remarks>
/// <para>
/// A kill can fall between the write of the lines and the receive that takes their bytes out of the socket: the next
/// run would read those bytes again and log their lines twice. Before the lines go to the writer, the connection sets
/// the socket's peek offset to a marker (a random multiple of 2^24 above 2^30); the receive that takes the bytes
/// lowers it by their count. The offset belongs to the socket, which outlives the process in the store: after a kill,
/// an offset between <c>marker - bytes</c> and <c>marker</c> says how many of them are still in the socket, and those
/// are dropped before the connection reads on (<see cref="SettleResumed"/>). Anything else means they left.
/// </para>
/// <para>
/// Records: <c>'C'</c>, the file's path, the write's start and end, and per claim the connection id, marker, bytes,
/// and the chunk's start and end; <c>'O'</c> and a path when a writer opened that file anew; <c>'S'</c>, a connection
/// id, marker and bytes for a claim known to hold (a snapshot).
/// </para>
/// </remarks>
internal sealed partial class UnconsumedJournal : ILogClaimJournal, IDisposable
{
    private const byte ClaimsTag = (byte)'C';
    private const byte OpenedTag = (byte)'O';
    private const byte SettledTag = (byte)'S';
    private const int ClaimSize = sizeof(long) + (2 * sizeof(int)) + (2 * sizeof(long));
    private const int SettledSize = 1 + sizeof(long) + (2 * sizeof(int));

    private readonly Lock _lock = new();
    private readonly ILogger _logger;
    private readonly DiskSpool _journal;

    // The claims of each connection's last read (one marker; a read whose lines fill several chunks has several):
    // read back at start, then those made since. Claims of earlier reads are settled: their bytes left the socket.
    private readonly Dictionary<long, List<Recovered>> _recovered = [];
    private readonly Dictionary<long, List<UnconsumedClaim>> _live = [];
    private readonly Dictionary<string, LastWrite> _lastWrites = new(StringComparer.Ordinal);
    private bool _settled;
    private bool _disposed;

    public UnconsumedJournal(IOptions<SharedSettings> options, ILogger<UnconsumedJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _journal = DiskSpool.Open(Path.Combine(DefaultLocations.StateDirectory(options.Value), "unconsumed"), new DiskSpoolOptions
        {
            SegmentBytes = 4L << 20,
            Durability = options.Value.Durability == MessageDurability.Fsync ? SpoolDurability.Fsync : SpoolDurability.Flush,
        });
        for (var from = 1UL; _journal.Read(from, 4096, long.MaxValue) is { Count: > 0 } records; from = records[^1].Sequence + 1)
        {
            foreach (var record in records)
            {
                Load(record.Payload);
            }
        }
    }

    /// <inheritdoc/>
    public void Record(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(claims);
        lock (_lock)
        {
            AppendClaims(path, writeStart, writeEnd, claims);
            foreach (var claim in claims)
            {
                var unconsumed = (UnconsumedClaim)claim;
                if (!_live.TryGetValue(unconsumed.ConnectionId, out var read))
                {
                    _live[unconsumed.ConnectionId] = read = [];
                }
                else if (read.Count > 0 && read[^1].Marker != unconsumed.Marker)
                {
                    read.Clear();
                }

                read.Add(unconsumed);
            }

            Compact();
        }

        // With Durability: fsync the intent is on disk before the lines can be.
        _journal.Commit();
    }

    /// <inheritdoc/>
    public void FileOpened(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var length = 1 + Encoding.UTF8.GetByteCount(path);
        // A NUL pads it when it would have a snapshot record's length, which is told apart by length and tag.
        var record = new byte[length == SettledSize ? length + 1 : length];
        record[0] = OpenedTag;
        Encoding.UTF8.GetBytes(path, record.AsSpan(1));
        lock (_lock)
        {
            _journal.Append(record);
        }

        _journal.Commit();
    }

    /// <inheritdoc/>
    public void RecoverFiles()
    {
        lock (_lock)
        {
            if (_settled)
            {
                return;
            }

            _settled = true;
            var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var path in _recovered.Values.SelectMany(static r => r).Where(static r => r.Path is not null).Select(static r => r.Path!).Concat(_lastWrites.Keys).Distinct(StringComparer.Ordinal))
            {
                var last = _lastWrites.GetValueOrDefault(path);
                lengths[path] = TornWriteRepair.Repair(path, last is null ? null : (last.Start, last.End), last?.Chunks ?? [], _logger);
            }

            foreach (var (id, read) in _recovered.ToList())
            {
                // The last claim of the read whose lines are in the file; without one, no byte of the read left the socket.
                var holding = read.FindLastIndex(c => c.Path is null || lengths[c.Path] >= c.End);
                if (holding >= 0)
                {
                    _recovered[id] = [read[holding] with { Path = null }];
                }
                else
                {
                    _recovered.Remove(id);
                }
            }

            _lastWrites.Clear();
            Snapshot();
        }
    }

    /// <summary>
    /// Before a connection taken back from the store reads on: drops the bytes still in <paramref name="socket"/> whose
    /// lines the killed run had logged. Returns how many.
    /// </summary>
    public int SettleResumed(long connectionId, Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Recovered claim;
        lock (_lock)
        {
            if (!_recovered.Remove(connectionId, out var read) || read.Count == 0)
            {
                return 0;
            }

            claim = read[^1];
        }

        var offset = Libc.GetPeekOffset(socket);
        var low = claim.Marker - claim.Bytes;
        if (offset < low || offset > claim.Marker)
        {
            return 0;
        }

        var dropped = SocketPeek.Discard(socket, offset - low, socket.ProtocolType == ProtocolType.Tcp);
        if (dropped < 0)
        {
            throw new IOException($"Unable to drop logged bytes of a stored connection: {new SocketException(-dropped).Message}");
        }

        LoggedBytesDropped(_logger, connectionId, dropped);
        return dropped;
    }

    /// <summary>The connection closed for good: its claims need not be kept.</summary>
    public void Forget(long connectionId)
    {
        lock (_lock)
        {
            _live.Remove(connectionId);
            _recovered.Remove(connectionId);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _journal.Dispose();
    }

    private void Load(byte[] record)
    {
        if (record.Length == SettledSize && record[0] == SettledTag)
        {
            var id = BinaryPrimitives.ReadInt64BigEndian(record.AsSpan(1));
            AddRecovered(id, new Recovered(null, BinaryPrimitives.ReadInt32BigEndian(record.AsSpan(9)), BinaryPrimitives.ReadInt32BigEndian(record.AsSpan(13)), 0));
            return;
        }

        if (record.Length > 1 && record[0] == OpenedTag)
        {
            // The file of that name was opened anew: the writes recorded before were to another file.
            _lastWrites.Remove(Encoding.UTF8.GetString(record, 1, record.Length - 1).TrimEnd('\0'));
            return;
        }

        if (record.Length < 3 || record[0] != ClaimsTag)
        {
            return;
        }

        var pathBytes = BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(1));
        var path = Encoding.UTF8.GetString(record, 3, pathBytes);
        var at = record.AsSpan(3 + pathBytes);
        var write = new LastWrite(BinaryPrimitives.ReadInt64BigEndian(at), BinaryPrimitives.ReadInt64BigEndian(at[8..]), []);
        _lastWrites[path] = write;
        var count = BinaryPrimitives.ReadUInt16BigEndian(at[16..]);
        at = at[18..];
        for (var i = 0; i < count; i++, at = at[ClaimSize..])
        {
            var id = BinaryPrimitives.ReadInt64BigEndian(at);
            var start = BinaryPrimitives.ReadInt64BigEndian(at[16..]);
            var end = BinaryPrimitives.ReadInt64BigEndian(at[24..]);
            AddRecovered(id, new Recovered(path, BinaryPrimitives.ReadInt32BigEndian(at[8..]), BinaryPrimitives.ReadInt32BigEndian(at[12..]), end));
            write.Chunks.Add((start, end));
        }
    }

    private void AddRecovered(long id, Recovered claim)
    {
        if (!_recovered.TryGetValue(id, out var read))
        {
            _recovered[id] = read = [];
        }
        else if (read.Count > 0 && read[^1].Marker != claim.Marker)
        {
            read.Clear();
        }

        read.Add(claim);
    }

    private void AppendClaims(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
    {
        var pathBytes = Encoding.UTF8.GetByteCount(path);
        var size = 1 + sizeof(ushort) + pathBytes + (2 * sizeof(long)) + sizeof(ushort) + (claims.Count * ClaimSize);
        var record = ArrayPool<byte>.Shared.Rent(size);
        var span = record.AsSpan(0, size);
        span[0] = ClaimsTag;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)pathBytes);
        Encoding.UTF8.GetBytes(path, span.Slice(3, pathBytes));
        var at = span[(3 + pathBytes)..];
        BinaryPrimitives.WriteInt64BigEndian(at, writeStart);
        BinaryPrimitives.WriteInt64BigEndian(at[8..], writeEnd);
        BinaryPrimitives.WriteUInt16BigEndian(at[16..], (ushort)claims.Count);
        at = at[18..];
        foreach (var claim in claims)
        {
            var unconsumed = (UnconsumedClaim)claim;
            BinaryPrimitives.WriteInt64BigEndian(at, unconsumed.ConnectionId);
            BinaryPrimitives.WriteInt32BigEndian(at[8..], unconsumed.Marker);
            BinaryPrimitives.WriteInt32BigEndian(at[12..], unconsumed.Bytes);
            BinaryPrimitives.WriteInt64BigEndian(at[16..], claim.Start);
            BinaryPrimitives.WriteInt64BigEndian(at[24..], claim.End);
            at = at[ClaimSize..];
        }

        try
        {
            _journal.Append(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    private void AppendSettled(long id, int marker, int bytes)
    {
        Span<byte> record = stackalloc byte[SettledSize];
        record[0] = SettledTag;
        BinaryPrimitives.WriteInt64BigEndian(record[1..], id);
        BinaryPrimitives.WriteInt32BigEndian(record[9..], marker);
        BinaryPrimitives.WriteInt32BigEndian(record[13..], bytes);
        _journal.Append(record);
    }

    // Rewritten as one record per connection once it holds many more.
    private void Compact()
    {
        if (_journal.Pending >= (2L * (_live.Count + _recovered.Count)) + 4096)
        {
            Snapshot();
        }
    }

    // The snapshot is appended, then everything before it acknowledged: a crash in between leaves both, which read back the same.
    private void Snapshot()
    {
        var before = _journal.NextSequence - 1;
        foreach (var (id, read) in _recovered)
        {
            // Settled at start: one holding claim each, or claims read back by a run that has not settled them yet.
            foreach (var claim in read.Where(static c => c.Path is null))
            {
                AppendSettled(id, claim.Marker, claim.Bytes);
            }
        }

        var pending = new List<LogClaim>();
        foreach (var (id, read) in _live)
        {
            if (read.FindLast(static c => c.Written && !c.Missed) is { } written)
            {
                AppendSettled(id, written.Marker, written.Bytes);
            }

            pending.AddRange(read.Where(static c => !c.Written && !c.Missed && c.Path is not null));
        }

        // Claims whose write has not returned yet keep their file and place, one record per file spanning them all.
        foreach (var byPath in pending.GroupBy(static c => c.Path!, StringComparer.Ordinal))
        {
            AppendClaims(byPath.Key, byPath.Min(static c => c.Start), byPath.Max(static c => c.End), [.. byPath]);
        }

        _journal.Commit();
        _journal.Acknowledge(before);
    }

    [LoggerMessage(EventIds.LoggedBytesDropped, LogLevel.Information, "Stored connection #{ConnectionId}: dropped {Bytes} bytes still in the socket whose lines the killed run had logged")]
    private static partial void LoggedBytesDropped(ILogger logger, long connectionId, int bytes);

    private readonly record struct Recovered(string? Path, int Marker, int Bytes, long End);

    private sealed record LastWrite(long Start, long End, List<(long Start, long End)> Chunks);
}
