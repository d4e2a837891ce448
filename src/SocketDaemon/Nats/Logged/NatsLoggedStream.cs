using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Configuration;
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
/// Records (<see cref="LogClaimJournalFile"/>): <c>'C'</c>, the file's path, the write's start and end, and per claim its
/// ranges of sequences and the chunk's start and end; <c>'O'</c> and a path when a writer opened that file anew; <c>'L'</c> and ranges of sequences
/// known logged; <c>'U'</c> and ranges claimed and then not committed (another step's commitment failed). The
/// journal is rewritten (<see cref="LogClaimJournalFile.Snapshot"/>) when it holds many records, without the sequences
/// JetStream will not deliver again (at or below the consumer's acknowledgement floor, <see cref="Forget"/>).
/// </para>
/// </remarks>
internal sealed class NatsLoggedStream : LogClaimJournalFile
{
    private const byte LoggedTag = (byte)'L';
    private const byte UnloggedTag = (byte)'U';

    // Ranges per 'L' record of a snapshot: records stay far below the spool's limit.
    private const int RangesPerRecord = 4096;

    private readonly SequenceSet _logged = new();

    // The acknowledgement floor of the last Forget, forgotten at the next one (or at a stop, when nothing waits).
    private ulong _forgetThrough;

    // Recorded claims whose batch has not committed yet: a snapshot keeps them with their file and place.
    private readonly List<NatsLoggedClaim> _live = [];

    // What the journal held at start: claims not yet settled against their files.
    private List<RecoveredClaim>? _recovered = [];

    public NatsLoggedStream(string directory, MessageDurability durability, ILogger logger)
        : base(directory, durability, keySize: 0, ownRecordLength: -1, logger)
    {
        ReadBack();
    }

    /// <summary>Whether the message of <paramref name="sequence"/> was logged.</summary>
    public bool Contains(ulong sequence)
    {
        lock (Lock)
        {
            return _logged.Contains(sequence);
        }
    }

    /// <summary>How many ranges the logged sequences make: what a snapshot costs.</summary>
    public int RangeCount
    {
        get
        {
            lock (Lock)
            {
                return _logged.Ranges.Count;
            }
        }
    }

    /// <inheritdoc/>
    protected override int SnapshotEntries => (_logged.Ranges.Count / RangesPerRecord) + _live.Count;

    /// <summary>
    /// Settles what a killed run left, before any writer opens a file: claims whose file is long enough hold, and a
    /// torn write is cut back. Then the journal is rewritten without the claims, which must not be read again.
    /// </summary>
    public override void RecoverFiles()
    {
        lock (Lock)
        {
            if (_recovered is not { } recovered)
            {
                return;
            }

            _recovered = null;
            var lengths = RepairFiles(recovered.Select(static c => c.Path));
            foreach (var claim in recovered)
            {
                if (lengths[claim.Path] >= claim.End)
                {
                    _logged.AddAll(claim.Sequences);
                }
            }

            if (recovered.Count > 0)
            {
                Snapshot();
            }
        }
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
        lock (Lock)
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

        Commit();
    }

    /// <summary>
    /// JetStream will deliver nothing at or below <paramref name="ackFloor"/> again (the consumer's acknowledgement
    /// floor): those sequences need not be kept once the copies already fetched have run.
    /// </summary>
    /// <remarks>
    /// Forgets through the floor of the call before: a copy JetStream delivered again after <c>AckWait</c>, before the
    /// first copy's acknowledgement moved the floor, may still wait in the listener's queue, and must still be found
    /// logged. Between two calls the listener runs many batches, which take every copy fetched before the first.
    /// </remarks>
    public void Forget(ulong ackFloor)
    {
        lock (Lock)
        {
            _logged.RemoveThrough(_forgetThrough);
            _forgetThrough = Math.Max(_forgetThrough, ackFloor);
        }
    }

    /// <inheritdoc/>
    protected override int ClaimKeySize(LogClaim claim) => sizeof(int) + (((NatsLoggedClaim)claim).Sequences.Ranges.Count * SequenceSet.RangeSize);

    /// <inheritdoc/>
    protected override int ReadClaimKeySize(ReadOnlySpan<byte> record) => sizeof(int) + (BinaryPrimitives.ReadInt32BigEndian(record) * SequenceSet.RangeSize);

    /// <inheritdoc/>
    protected override void WriteKey(LogClaim claim, Span<byte> key)
    {
        var ranges = ((NatsLoggedClaim)claim).Sequences.Ranges;
        SequenceSet.Write(key, ranges, 0, ranges.Count);
    }

    /// <inheritdoc/>
    protected override void OnRecorded(IReadOnlyList<LogClaim> claims)
    {
        foreach (var claim in claims)
        {
            _live.Add((NatsLoggedClaim)claim);
        }
    }

    /// <inheritdoc/>
    protected override void LoadClaim(string path, ReadOnlySpan<byte> key, long start, long end)
    {
        var sequences = new SequenceSet();
        sequences.Read(key);
        _recovered!.Add(new RecoveredClaim(path, end, sequences));
    }

    /// <inheritdoc/>
    protected override bool IsOwnRecord(byte[] record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Length > 0 && record[0] is LoggedTag or UnloggedTag;
    }

    /// <inheritdoc/>
    protected override void LoadOwnRecord(ReadOnlySpan<byte> record)
    {
        if (record[0] == LoggedTag)
        {
            _logged.Read(record[1..]);
            return;
        }

        // Claimed before, and not committed after all: those claims do not count them.
        var failed = new SequenceSet();
        failed.Read(record[1..]);
        foreach (var claim in _recovered!)
        {
            claim.Sequences.RemoveAll(failed);
        }
    }

    /// <inheritdoc/>
    protected override void WriteSnapshot()
    {
        var ranges = _logged.Ranges;
        for (var from = 0; from < ranges.Count; from += RangesPerRecord)
        {
            AppendRanges(LoggedTag, ranges, from, Math.Min(RangesPerRecord, ranges.Count - from));
        }

        AppendClaimsByFile(_live.Where(static c => c.Path is not null && !c.Missed));
    }

    /// <inheritdoc/>
    protected override void OnDisposing()
    {
        try
        {
            // The listeners have stopped: no copy of a message waits any more.
            _logged.RemoveThrough(_forgetThrough);
            Snapshot();
        }
        catch (IOException)
        {
            // The records stay and are read back as after a kill.
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
            Append(record.AsSpan(0, size));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    private sealed record RecoveredClaim(string Path, long End, SequenceSet Sequences);
}
