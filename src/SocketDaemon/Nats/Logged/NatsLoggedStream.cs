using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Nats.Logged;

/// <summary>
/// The stream sequences one stream and durable consumer had logged by this daemon, kept in a <see cref="DiskSpool"/>
/// under <c>StateDirectory</c>/nats-logged/<c>stream</c>/<c>consumer</c>, so that a redelivery after a kill (the
/// acknowledgements had not reached JetStream) is acknowledged without being logged again.
/// </summary>
/// <remarks>
/// <para>
/// The sequences move with the lines: each chunk of a batch's lines carries a <see cref="NatsLoggedClaim"/> (the
/// sequences of its messages), which the log writer records here before it writes the chunk. After a <c>kill -9</c> a
/// claim holds if its file is long enough, and a torn write is cut back (<see cref="TornWriteRepair"/>), as for the
/// native sessions. Sequences whose lines went without a claim (several log files, no log step, the log's spool) are
/// recorded after the commit, before their acknowledgements.
/// </para>
/// <para>
/// Records: <c>'C'</c>, the file's path, the write's start and end, and per claim the chunk's start and end and its
/// ranges of sequences; <c>'O'</c> and a path when a writer opened that file anew; <c>'L'</c> and ranges of sequences
/// known logged; <c>'U'</c> and ranges claimed and then not committed (another step's commitment failed). The
/// journal is rewritten (<see cref="Snapshot"/>) when it holds many records, without the sequences
/// JetStream will not deliver again (at or below the consumer's acknowledgement floor, <see cref="Forget"/>).
/// </para>
/// </remarks>
internal sealed class NatsLoggedStream : IDisposable
{
    private const byte ClaimsTag = (byte)'C';
    private const byte OpenedTag = (byte)'O';
    private const byte LoggedTag = (byte)'L';
    private const byte UnloggedTag = (byte)'U';

    // Ranges per 'L' record of a snapshot: records stay far below the spool's limit.
    private const int RangesPerRecord = 4096;

    private readonly Lock _lock = new();
    private readonly DiskSpool _journal;
    private readonly ILogger _logger;
    private readonly SequenceSet _logged = new();

    // Recorded claims whose batch has not committed yet: a snapshot keeps them with their file and place.
    private readonly List<NatsLoggedClaim> _live = [];

    // What the journal held at start: claims, and each file's last recorded write (the only one a kill can have torn).
    private List<RecoveredClaim>? _recovered = [];
    private readonly Dictionary<string, LastWrite> _lastWrites = new(StringComparer.Ordinal);
    private bool _disposed;

    public NatsLoggedStream(string directory, SpoolDurability durability, ILogger logger)
    {
        _logger = logger;
        _journal = DiskSpool.Open(directory, new DiskSpoolOptions { SegmentBytes = 4L << 20, Durability = durability });
        for (var from = 1UL; _journal.Read(from, 4096, long.MaxValue) is { Count: > 0 } records; from = records[^1].Sequence + 1)
        {
            foreach (var record in records)
            {
                Load(record.Payload);
            }
        }
    }

    /// <summary>Whether the message of <paramref name="sequence"/> was logged.</summary>
    public bool Contains(ulong sequence)
    {
        lock (_lock)
        {
            return _logged.Contains(sequence);
        }
    }

    /// <summary>How many ranges the logged sequences make: what a snapshot costs.</summary>
    public int RangeCount
    {
        get
        {
            lock (_lock)
            {
                return _logged.Ranges.Count;
            }
        }
    }

    /// <summary>
    /// Settles what a killed run left, before any writer opens a file: claims whose file is long enough hold, and a
    /// torn write is cut back. Then the journal is rewritten without the claims, which must not be read again.
    /// </summary>
    public void Recover()
    {
        lock (_lock)
        {
            if (_recovered is not { } recovered)
            {
                return;
            }

            _recovered = null;
            var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var path in recovered.Select(static c => c.Path).Concat(_lastWrites.Keys).Distinct(StringComparer.Ordinal))
            {
                var last = _lastWrites.GetValueOrDefault(path);
                lengths[path] = TornWriteRepair.Repair(path, last is null ? null : (last.Start, last.End), last?.Chunks ?? [], _logger);
            }

            foreach (var claim in recovered)
            {
                if (lengths[claim.Path] >= claim.End)
                {
                    _logged.AddAll(claim.Sequences);
                }
            }

            _lastWrites.Clear();
            if (recovered.Count > 0)
            {
                Snapshot();
            }
        }
    }

    /// <summary>Records the claims of one write before it begins; durable (with <c>Durability: fsync</c>) on return.</summary>
    public void Record(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
    {
        lock (_lock)
        {
            AppendClaims(path, writeStart, writeEnd, claims);
            foreach (var claim in claims)
            {
                _live.Add((NatsLoggedClaim)claim);
            }

            Compact();
        }

        _journal.Commit();
    }

    public void FileOpened(string path)
    {
        var record = new byte[1 + Encoding.UTF8.GetByteCount(path)];
        record[0] = OpenedTag;
        Encoding.UTF8.GetBytes(path, record.AsSpan(1));
        lock (_lock)
        {
            _journal.Append(record);
        }

        _journal.Commit();
    }

    /// <summary>
    /// After a batch's commit and before its acknowledgements: <paramref name="committed"/> are logged. Those that the
    /// written claims of <paramref name="claims"/> do not cover are recorded now.
    /// </summary>
    public void Settle(SequenceSet committed, IReadOnlyList<NatsLoggedClaim> claims)
    {
        var covered = new SequenceSet();
        foreach (var claim in claims)
        {
            if (claim.Written && !claim.Missed)
            {
                covered.AddAll(claim.Sequences);
            }
        }

        var uncovered = committed.Except(covered);

        // Claimed, and yet not committed (another step's commitment failed): JetStream delivers them again, and the
        // claims must not count them as logged after a kill.
        var failed = covered.Except(committed);
        lock (_lock)
        {
            _logged.AddAll(committed);
            if (claims.Count > 0)
            {
                _live.RemoveAll(c => c.Written || c.Missed);
            }

            if (uncovered.IsEmpty && failed.IsEmpty)
            {
                return;
            }

            if (!uncovered.IsEmpty)
            {
                AppendRanges(LoggedTag, uncovered.Ranges, 0, uncovered.Ranges.Count);
            }

            if (!failed.IsEmpty)
            {
                AppendRanges(UnloggedTag, failed.Ranges, 0, failed.Ranges.Count);
            }

            Compact();
        }

        _journal.Commit();
    }

    /// <summary>
    /// JetStream will deliver nothing at or below <paramref name="ackFloor"/> again (the consumer's acknowledgement
    /// floor): those sequences need not be kept.
    /// </summary>
    public void Forget(ulong ackFloor)
    {
        lock (_lock)
        {
            _logged.RemoveThrough(ackFloor);
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
            try
            {
                Snapshot();
            }
            catch (IOException)
            {
                // The records stay and are read back as after a kill.
            }
        }

        _journal.Dispose();
    }

    private void Load(byte[] record)
    {
        if (record.Length == 0)
        {
            return;
        }

        switch (record[0])
        {
            case LoggedTag:
                _logged.Read(record.AsSpan(1));
                break;
            case UnloggedTag:
                // Claimed before, and not committed after all: those claims do not count them.
                var failed = new SequenceSet();
                failed.Read(record.AsSpan(1));
                foreach (var claim in _recovered!)
                {
                    claim.Sequences.RemoveAll(failed);
                }

                break;
            case OpenedTag:
                // The file of that name was opened anew: the writes recorded before were to another file.
                _lastWrites.Remove(Encoding.UTF8.GetString(record, 1, record.Length - 1));
                break;
            case ClaimsTag:
                LoadClaims(record);
                break;
        }
    }

    private void LoadClaims(byte[] record)
    {
        var pathBytes = BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(1));
        var path = Encoding.UTF8.GetString(record, 3, pathBytes);
        var at = record.AsSpan(3 + pathBytes);
        var write = new LastWrite(BinaryPrimitives.ReadInt64BigEndian(at), BinaryPrimitives.ReadInt64BigEndian(at[8..]), []);
        _lastWrites[path] = write;
        var count = BinaryPrimitives.ReadUInt16BigEndian(at[16..]);
        at = at[18..];
        for (var i = 0; i < count; i++)
        {
            var start = BinaryPrimitives.ReadInt64BigEndian(at);
            var end = BinaryPrimitives.ReadInt64BigEndian(at[8..]);
            var sequences = new SequenceSet();
            at = at[(16 + sequences.Read(at[16..]))..];
            _recovered!.Add(new RecoveredClaim(path, end, sequences));
            write.Chunks.Add((start, end));
        }
    }

    private void AppendClaims(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
    {
        var pathBytes = Encoding.UTF8.GetByteCount(path);
        var size = 1 + sizeof(ushort) + pathBytes + (2 * sizeof(long)) + sizeof(ushort);
        foreach (var claim in claims)
        {
            size += (2 * sizeof(long)) + sizeof(int) + (((NatsLoggedClaim)claim).Sequences.Ranges.Count * SequenceSet.RangeSize);
        }

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
            BinaryPrimitives.WriteInt64BigEndian(at, claim.Start);
            BinaryPrimitives.WriteInt64BigEndian(at[8..], claim.End);
            var ranges = ((NatsLoggedClaim)claim).Sequences.Ranges;
            at = at[(16 + SequenceSet.Write(at[16..], ranges, 0, ranges.Count))..];
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

    private void AppendRanges(byte tag, IReadOnlyList<(ulong First, ulong Last)> ranges, int from, int count)
    {
        var size = 1 + sizeof(int) + (count * SequenceSet.RangeSize);
        var record = ArrayPool<byte>.Shared.Rent(size);
        record[0] = tag;
        SequenceSet.Write(record.AsSpan(1, size - 1), ranges, from, count);
        try
        {
            _journal.Append(record.AsSpan(0, size));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    // Rewritten once it holds many more records than a snapshot would.
    private void Compact()
    {
        if (_journal.Pending >= (_logged.Ranges.Count / RangesPerRecord) + _live.Count + 4096)
        {
            Snapshot();
        }
    }

    // The snapshot is appended, then everything before it acknowledged: a crash in between leaves both, which read
    // back the same. Claims whose batch has not committed keep their file and place, one record per file.
    private void Snapshot()
    {
        var before = _journal.NextSequence - 1;
        var ranges = _logged.Ranges;
        for (var from = 0; from < ranges.Count; from += RangesPerRecord)
        {
            AppendRanges(LoggedTag, ranges, from, Math.Min(RangesPerRecord, ranges.Count - from));
        }

        foreach (var byPath in _live.Where(static c => c.Path is not null && !c.Missed).GroupBy(static c => c.Path!, StringComparer.Ordinal))
        {
            AppendClaims(byPath.Key, byPath.Min(static c => c.Start), byPath.Max(static c => c.End), [.. byPath]);
        }

        _journal.Commit();
        _journal.Acknowledge(before);
    }

    private sealed record RecoveredClaim(string Path, long End, SequenceSet Sequences);

    private sealed record LastWrite(long Start, long End, List<(long Start, long End)> Chunks);
}
