using System.Buffers.Binary;
using System.Net.Sockets;
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
/// Records (<see cref="LogClaimJournalFile"/>): a claim's key is the connection id, marker and bytes; the journal's own
/// records are <c>'S'</c>, a connection id, marker and bytes for a claim known to hold (a snapshot).
/// </para>
/// </remarks>
internal sealed partial class UnconsumedJournal : LogClaimJournalFile
{
    private const byte SettledTag = (byte)'S';
    private const int KeySize = sizeof(long) + (2 * sizeof(int));
    private const int SettledSize = 1 + KeySize;

    // The claims of each connection's last read (one marker; a read whose lines fill several chunks has several):
    // read back at start, then those made since. Claims of earlier reads are settled: their bytes left the socket.
    private readonly Dictionary<long, List<Recovered>> _recovered = [];
    private readonly Dictionary<long, List<UnconsumedClaim>> _live = [];
    private bool _settled;

    public UnconsumedJournal(IOptions<SharedSettings> options, ILogger<UnconsumedJournal> logger)
        : base(
            Path.Combine(DefaultLocations.StateDirectory((options ?? throw new ArgumentNullException(nameof(options))).Value), "unconsumed"),
            options.Value.Durability,
            KeySize,
            SettledSize,
            logger)
    {
        ReadBack();
    }

    /// <inheritdoc/>
    protected override int SnapshotEntries => _live.Count + _recovered.Count;

    /// <inheritdoc/>
    public override void RecoverFiles()
    {
        lock (Lock)
        {
            if (_settled)
            {
                return;
            }

            _settled = true;
            var lengths = RepairFiles(_recovered.Values.SelectMany(static r => r).Where(static r => r.Path is not null).Select(static r => r.Path!));
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
        lock (Lock)
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

        LoggedBytesDropped(Logger, connectionId, dropped);
        return dropped;
    }

    /// <summary>The connection closed for good: its claims need not be kept.</summary>
    public void Forget(long connectionId)
    {
        lock (Lock)
        {
            _live.Remove(connectionId);
            _recovered.Remove(connectionId);
        }
    }

    /// <inheritdoc/>
    protected override void OnRecorded(IReadOnlyList<LogClaim> claims)
    {
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
    }

    /// <inheritdoc/>
    protected override void WriteKey(LogClaim claim, Span<byte> key)
    {
        var unconsumed = (UnconsumedClaim)claim;
        BinaryPrimitives.WriteInt64BigEndian(key, unconsumed.ConnectionId);
        BinaryPrimitives.WriteInt32BigEndian(key[8..], unconsumed.Marker);
        BinaryPrimitives.WriteInt32BigEndian(key[12..], unconsumed.Bytes);
    }

    /// <inheritdoc/>
    protected override void LoadClaim(string path, ReadOnlySpan<byte> key, long start, long end) =>
        AddRecovered(BinaryPrimitives.ReadInt64BigEndian(key), new Recovered(path, BinaryPrimitives.ReadInt32BigEndian(key[8..]), BinaryPrimitives.ReadInt32BigEndian(key[12..]), end));

    /// <inheritdoc/>
    protected override void LoadOwnRecord(ReadOnlySpan<byte> record)
    {
        if (record[0] == SettledTag)
        {
            var id = BinaryPrimitives.ReadInt64BigEndian(record[1..]);
            AddRecovered(id, new Recovered(null, BinaryPrimitives.ReadInt32BigEndian(record[9..]), BinaryPrimitives.ReadInt32BigEndian(record[13..]), 0));
        }
    }

    /// <inheritdoc/>
    protected override void WriteSnapshot()
    {
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

        AppendClaimsByFile(pending);
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

    private void AppendSettled(long id, int marker, int bytes)
    {
        Span<byte> record = stackalloc byte[SettledSize];
        record[0] = SettledTag;
        BinaryPrimitives.WriteInt64BigEndian(record[1..], id);
        BinaryPrimitives.WriteInt32BigEndian(record[9..], marker);
        BinaryPrimitives.WriteInt32BigEndian(record[13..], bytes);
        Append(record);
    }

    [LoggerMessage(EventIds.LoggedBytesDropped, LogLevel.Information, "Stored connection #{ConnectionId}: dropped {Bytes} bytes still in the socket whose lines the killed run had logged")]
    private static partial void LoggedBytesDropped(ILogger logger, long connectionId, int bytes);

    private readonly record struct Recovered(string? Path, int Marker, int Bytes, long End);
}
