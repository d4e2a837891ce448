using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDaemon.Configuration;
using SocketDaemon.Client.Spooling;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// The file of an <see cref="ILogClaimJournal"/>: an append-only <see cref="DiskSpool"/> of the claims recorded before
/// each write, read back at start, whose last write to each log file a killed run may have torn
/// (<see cref="RepairFiles"/>), and which is rewritten as a snapshot once it holds many more records than the owner
/// has entries. The owner says what a claim is (its key) and what its own records and snapshot hold.
/// </summary>
/// <remarks>
/// Records: <c>'C'</c>, the file's path, the write's start and end, and per claim the owner's key and the chunk's
/// start and end; <c>'O'</c> and a path when a writer opened that file anew (after logrotate), so the writes recorded
/// before do not cut the new one. The owner's own records have one length, <c>ownRecordLength</c>, and are told apart
/// by it: an <c>'O'</c> record that would have that length is padded with a NUL.
/// </remarks>
internal abstract class LogClaimJournalFile : ILogClaimJournal, IDisposable
{
    private const byte ClaimsTag = (byte)'C';
    private const byte OpenedTag = (byte)'O';

    private readonly DiskSpool _journal;
    private readonly int _keySize;
    private readonly int _ownRecordLength;

    // Only the last write to a file can have been torn by a kill: the writer records the next one once it returned.
    private readonly Dictionary<string, LastWrite> _lastWrites = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Opens the journal in <paramref name="directory"/>; the owner reads it back with <see cref="ReadBack"/>.</summary>
    /// <param name="directory">The journal's directory.</param>
    /// <param name="durability">With <see cref="MessageDurability.Fsync"/>, a record is on disk before the write it precedes.</param>
    /// <param name="keySize">The bytes of a claim's key (<see cref="WriteKey"/>).</param>
    /// <param name="ownRecordLength">The length of the owner's own records (<see cref="LoadOwnRecord"/>).</param>
    /// <param name="logger">Where torn writes cut back are logged.</param>
    protected LogClaimJournalFile(string directory, MessageDurability durability, int keySize, int ownRecordLength, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _keySize = keySize;
        _ownRecordLength = ownRecordLength;
        Logger = logger;
        _journal = DiskSpool.Open(directory, new DiskSpoolOptions
        {
            SegmentBytes = 4L << 20,
            Durability = durability == MessageDurability.Fsync ? SpoolDurability.Fsync : SpoolDurability.Flush,
        });
    }

    /// <summary>Held while the journal or the owner's state changes.</summary>
    protected Lock Lock { get; } = new();

    /// <summary>The owner's logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Whether the journal held claims when it was read back.</summary>
    protected bool HadClaims { get; private set; }

    /// <summary>How many entries (sessions, connections) a snapshot holds: the journal is compacted past twice that.</summary>
    protected abstract int SnapshotEntries { get; }

    /// <inheritdoc/>
    public void Record(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(claims);
        lock (Lock)
        {
            AppendClaims(path, writeStart, writeEnd, claims);
            OnRecorded(claims);
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
        var record = new byte[length == _ownRecordLength ? length + 1 : length];
        record[0] = OpenedTag;
        Encoding.UTF8.GetBytes(path, record.AsSpan(1));
        lock (Lock)
        {
            _journal.Append(record);
        }

        _journal.Commit();
    }

    /// <inheritdoc/>
    public abstract void RecoverFiles();

    /// <summary>Closes the journal.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the journal once; <see cref="OnDisposing"/> runs before, under the lock.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        lock (Lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            OnDisposing();
        }

        _journal.Dispose();
    }

    /// <summary>Reads every record back, in order: the owner calls it from its constructor once its own state is ready.</summary>
    protected void ReadBack()
    {
        for (var from = 1UL; _journal.Read(from, 4096, long.MaxValue) is { Count: > 0 } records; from = records[^1].Sequence + 1)
        {
            foreach (var record in records)
            {
                Load(record.Payload);
            }
        }
    }

    /// <summary>
    /// Cuts back the last recorded write to each of <paramref name="claimPaths"/> and of the files written since the
    /// last snapshot where a kill tore it, and returns the length each file keeps (<see cref="long.MaxValue"/> when it
    /// is gone). The writes read back are forgotten: from now on the files grow past them.
    /// </summary>
    protected Dictionary<string, long> RepairFiles(IEnumerable<string> claimPaths)
    {
        var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var path in claimPaths.Concat(_lastWrites.Keys).Distinct(StringComparer.Ordinal))
        {
            var last = _lastWrites.GetValueOrDefault(path);
            lengths[path] = TornWriteRepair.Repair(path, last is null ? null : (last.Start, last.End), last?.Chunks ?? [], Logger);
        }

        _lastWrites.Clear();
        return lengths;
    }

    /// <summary>Appends one of the owner's records (of the length it gave), under <see cref="Lock"/>.</summary>
    protected void Append(ReadOnlySpan<byte> record) => _journal.Append(record);

    /// <summary>Makes what was appended durable, as the journal's durability asks.</summary>
    protected void Commit() => _journal.Commit();

    /// <summary>Under <see cref="Lock"/>: rewrites the journal as a snapshot once it holds many more records than entries.</summary>
    protected void Compact()
    {
        if (_journal.Pending >= (2L * SnapshotEntries) + 4096)
        {
            Snapshot();
        }
    }

    /// <summary>
    /// Under <see cref="Lock"/>: the owner's snapshot (<see cref="WriteSnapshot"/>) is appended, then everything before
    /// it acknowledged, so a crash in between leaves both, which read back the same.
    /// </summary>
    protected void Snapshot()
    {
        var before = _journal.NextSequence - 1;
        WriteSnapshot();
        _journal.Commit();
        _journal.Acknowledge(before);
    }

    /// <summary>
    /// For a snapshot: claims whose write has not returned yet keep their file and place, one record per file
    /// spanning them all, so that it is the last write read back for that file.
    /// </summary>
    protected void AppendClaimsByFile(IEnumerable<LogClaim> claims)
    {
        foreach (var byPath in claims.GroupBy(static c => c.Path!, StringComparer.Ordinal))
        {
            AppendClaims(byPath.Key, byPath.Min(static c => c.Start), byPath.Max(static c => c.End), [.. byPath]);
        }
    }

    /// <summary>The bytes of <paramref name="claim"/>'s key: the size the owner gave, unless its keys vary.</summary>
    protected virtual int ClaimKeySize(LogClaim claim) => _keySize;

    /// <summary>The bytes of the key that <paramref name="record"/> (the rest of a claims record) begins with.</summary>
    protected virtual int ReadClaimKeySize(ReadOnlySpan<byte> record) => _keySize;

    /// <summary>Whether <paramref name="record"/> is one of the owner's records: by default, one of the length it gave.</summary>
    protected virtual bool IsOwnRecord(byte[] record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Length == _ownRecordLength;
    }

    /// <summary>Writes <paramref name="claim"/>'s key (its owner's id and position) into <paramref name="key"/>.</summary>
    protected abstract void WriteKey(LogClaim claim, Span<byte> key);

    /// <summary>Under <see cref="Lock"/>, after <paramref name="claims"/> are appended: the owner keeps them.</summary>
    protected abstract void OnRecorded(IReadOnlyList<LogClaim> claims);

    /// <summary>Reads back a claim of the write to <paramref name="path"/>: its key, and the chunk's start and end.</summary>
    protected abstract void LoadClaim(string path, ReadOnlySpan<byte> key, long start, long end);

    /// <summary>Reads back one of the owner's records.</summary>
    protected abstract void LoadOwnRecord(ReadOnlySpan<byte> record);

    /// <summary>Appends the owner's state as it stands (<see cref="Append"/>, <see cref="AppendClaimsByFile"/>).</summary>
    protected abstract void WriteSnapshot();

    /// <summary>Under <see cref="Lock"/>, once, before the journal closes.</summary>
    protected virtual void OnDisposing()
    {
    }

    private void Load(byte[] record)
    {
        if (IsOwnRecord(record))
        {
            LoadOwnRecord(record);
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
        for (var i = 0; i < count; i++)
        {
            var keySize = ReadClaimKeySize(at);
            var start = BinaryPrimitives.ReadInt64BigEndian(at[keySize..]);
            var end = BinaryPrimitives.ReadInt64BigEndian(at[(keySize + 8)..]);
            LoadClaim(path, at[..keySize], start, end);
            write.Chunks.Add((start, end));
            at = at[(keySize + 16)..];
        }

        HadClaims = true;
    }

    private void AppendClaims(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
    {
        var pathBytes = Encoding.UTF8.GetByteCount(path);
        var size = 1 + sizeof(ushort) + pathBytes + (2 * sizeof(long)) + sizeof(ushort);
        foreach (var claim in claims)
        {
            size += ClaimKeySize(claim) + (2 * sizeof(long));
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
            var keySize = ClaimKeySize(claim);
            WriteKey(claim, at[..keySize]);
            BinaryPrimitives.WriteInt64BigEndian(at[keySize..], claim.Start);
            BinaryPrimitives.WriteInt64BigEndian(at[(keySize + 8)..], claim.End);
            at = at[(keySize + (2 * sizeof(long)))..];
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

    private sealed record LastWrite(long Start, long End, List<(long Start, long End)> Chunks);
}
