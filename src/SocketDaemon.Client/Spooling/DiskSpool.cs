using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace SocketDaemon.Client.Spooling;

/// <summary>
/// A durable, append-only queue of records in segment files: what a sender has accepted but its next hop has not
/// acknowledged yet. The client library's <c>Spool</c> option and the daemon's <c>Forward</c> handler both keep one.
/// </summary>
/// <remarks>
/// <para>
/// Each record is <c>u32 length</c>, <c>u32 CRC-32 of the payload</c> (big-endian), then the payload, written with
/// one <c>pwrite(2)</c>. Records are numbered from 1 in append order; a segment file is named after its first
/// record's number in hex (<c>0000000000000001.spool</c>), so numbers survive restarts without an index file.
/// </para>
/// <para>
/// <see cref="Acknowledge"/> moves a cumulative position (every record up to it is done), stored in the file
/// <c>ack</c> (<see cref="SpoolAckFile"/>), so that a crash leaves the old or the new position, or one its CRC
/// refuses (then everything still spooled is sent again). Segments whose records are all acknowledged are deleted.
/// </para>
/// <para>
/// Opening recovers from a crash at any byte: each segment is read from the start, and at the first record that is
/// short, longer than <see cref="DiskSpoolOptions.MaxRecordBytes"/> or fails its CRC the file is cut, so a torn
/// last record disappears and every complete one before it stays.
/// </para>
/// </remarks>
public sealed partial class DiskSpool : IDisposable
{
    private const string SegmentExtension = ".spool";
    private const int HeaderSize = SpoolSegment.HeaderSize;

    private readonly Lock _lock = new();
    private readonly Lock _commitLock = new();
    private readonly Lock _ackLock = new();
    private readonly List<SpoolSegment> _segments = [];
    private readonly DiskSpoolOptions _options;
    private readonly SpoolAckFile _ackFile;
    private TaskCompletionSource _appended = NewSignal();
    private ulong _next;
    private ulong _acknowledged;
    private ulong _durable;
    private long _bytes;
    private bool _disposed;

    private DiskSpool(string directory, DiskSpoolOptions options)
    {
        Directory = directory;
        _options = options;
        _ackFile = new SpoolAckFile(directory, options.Durability == SpoolDurability.Fsync);
    }

    /// <summary>The directory holding the segment files and the acknowledged position.</summary>
    public string Directory { get; }

    /// <summary>The number the next appended record gets.</summary>
    public ulong NextSequence
    {
        get
        {
            lock (_lock)
            {
                return _next;
            }
        }
    }

    /// <summary>Every record up to this number is acknowledged; 0 when none is.</summary>
    public ulong Acknowledged
    {
        get
        {
            lock (_lock)
            {
                return _acknowledged;
            }
        }
    }

    /// <summary>How many records are not acknowledged yet.</summary>
    public long Pending
    {
        get
        {
            lock (_lock)
            {
                return (long)(_next - 1 - _acknowledged);
            }
        }
    }

    /// <summary>The size of the segment files together.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>How many bytes of torn or corrupt records opening cut off (for the caller to log).</summary>
    public long RecoveredTornBytes { get; private set; }

    /// <summary>Opens the spool in <paramref name="directory"/>, creating it, and recovers what a crash left.</summary>
    public static DiskSpool Open(string directory, DiskSpoolOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var spool = new DiskSpool(Path.GetFullPath(directory), options ?? new DiskSpoolOptions());
        try
        {
            spool.Recover();
        }
        catch
        {
            spool.Dispose();
            throw;
        }

        return spool;
    }

    /// <summary>
    /// Appends a record and returns its number. It is in the kernel when this returns; call <see cref="Commit"/>
    /// before telling anyone it is safe.
    /// </summary>
    /// <exception cref="SpoolFullException">The spool holds <see cref="DiskSpoolOptions.MaxBytes"/>; nothing was written.</exception>
    public ulong Append(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _options.MaxRecordBytes)
        {
            throw new ArgumentException($"a record of {payload.Length} bytes is over the spool's {_options.MaxRecordBytes}", nameof(payload));
        }

        var size = HeaderSize + payload.Length;
        var record = new byte[size];
        BinaryPrimitives.WriteUInt32BigEndian(record, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(4), Crc32.HashToUInt32(payload));
        payload.CopyTo(record.AsSpan(HeaderSize));

        TaskCompletionSource appended;
        ulong sequence;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_bytes + size > _options.MaxBytes)
            {
                throw new SpoolFullException($"the spool {Directory} is full ({_bytes} of {_options.MaxBytes} bytes)");
            }

            var tail = TailFor(size);
            RandomAccess.Write(tail.Handle, record, tail.Length);
            tail.Offsets.Add(tail.Length);
            tail.Length += size;
            _bytes += size;
            sequence = _next++;
            appended = _appended;
            _appended = NewSignal();
        }

        appended.TrySetResult();
        return sequence;
    }

    /// <summary>
    /// Makes every record appended so far as durable as <see cref="DiskSpoolOptions.Durability"/> asks. Callers that
    /// come while another fsyncs are covered by the next one, which serves them all.
    /// </summary>
    public void Commit()
    {
        if (_options.Durability != SpoolDurability.Fsync)
        {
            return;
        }

        var target = NextSequence - 1;
        lock (_commitLock)
        {
            if (_durable >= target)
            {
                return;
            }

            SafeFileHandle? handle;
            ulong through;
            lock (_lock)
            {
                handle = _segments.Count > 0 ? _segments[^1].Handle : null;
                through = _next - 1;
            }

            if (handle is not null)
            {
                RandomAccess.FlushToDisk(handle);
            }

            _durable = through;
        }
    }

    /// <summary>Completes when a record numbered <paramref name="sequence"/> or higher has been appended.</summary>
    public async Task WaitForAsync(ulong sequence, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task appended;
            lock (_lock)
            {
                if (_next > sequence)
                {
                    return;
                }

                appended = _appended.Task;
            }

            await appended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads records from number <paramref name="from"/> on (skipping acknowledged ones), at most
    /// <paramref name="maxRecords"/> and, after the first, at most <paramref name="maxBytes"/> of payload.
    /// </summary>
    public IReadOnlyList<SpoolRecord> Read(ulong from, int maxRecords, long maxBytes)
    {
        var records = new List<SpoolRecord>();
        long bytes = 0;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var sequence = Math.Max(from, _acknowledged + 1);
            foreach (var segment in _segments)
            {
                if (segment.Offsets.Count == 0 || segment.Last < sequence)
                {
                    continue;
                }

                for (var i = (int)(Math.Max(sequence, segment.First) - segment.First); i < segment.Offsets.Count; i++)
                {
                    var next = i + 1 < segment.Offsets.Count ? segment.Offsets[i + 1] : segment.Length;
                    var length = (int)(next - segment.Offsets[i] - HeaderSize);
                    if (records.Count == maxRecords || (records.Count > 0 && bytes + length > maxBytes))
                    {
                        return records;
                    }

                    var payload = new byte[length];
                    RandomAccess.Read(segment.Handle, payload, segment.Offsets[i] + HeaderSize);
                    records.Add(new SpoolRecord(segment.First + (ulong)i, payload));
                    bytes += length;
                }
            }
        }

        return records;
    }

    /// <summary>
    /// Marks every record up to <paramref name="sequence"/> done, stores the position, and deletes the segments that
    /// hold nothing else. A lower position than the current one changes nothing.
    /// </summary>
    public void Acknowledge(ulong sequence)
    {
        // The position is stored outside the spool's lock, so that appends go on meanwhile; the acknowledgement lock
        // keeps the positions stored in order.
        lock (_ackLock)
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                sequence = Math.Min(sequence, _next - 1);
                if (sequence <= _acknowledged)
                {
                    return;
                }
            }

            _ackFile.Write(sequence);
            List<SpoolSegment>? done = null;
            lock (_lock)
            {
                _acknowledged = sequence;
                while (_segments.Count > 0 && _segments[0].Last <= sequence)
                {
                    (done ??= []).Add(_segments[0]);
                    Detach(_segments[0]);
                }
            }

            // Closing and unlinking a full segment frees its pages, which takes a while: appends go on meanwhile.
            foreach (var segment in done ?? [])
            {
                Delete(segment);
            }
        }
    }

    /// <summary>Closes the segment files.</summary>
    public void Dispose()
    {
        lock (_ackLock)
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                foreach (var segment in _segments)
                {
                    segment.Handle.Dispose();
                }

                _segments.Clear();
                _ackFile.Dispose();
            }
        }

        _appended.TrySetCanceled();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Recover()
    {
        System.IO.Directory.CreateDirectory(Directory);
        _acknowledged = SpoolAckFile.Read(Directory);
        var files = System.IO.Directory.EnumerateFiles(Directory, "*" + SegmentExtension)
            .Select(path => (Path: path, First: ParseFirst(path)))
            .Where(f => f.First > 0)
            .OrderBy(f => f.First);
        foreach (var (path, first) in files)
        {
            var segment = new SpoolSegment(path, first, File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read));
            _segments.Add(segment);
            RecoveredTornBytes += segment.Scan(_options.MaxRecordBytes);
            _bytes += segment.Length;
            if (segment.Offsets.Count == 0 || segment.Last <= _acknowledged)
            {
                DeleteSegment(segment);
            }
        }

        _next = Math.Max(_acknowledged + 1, _segments.Count > 0 ? _segments[^1].Last + 1 : 1);
        _durable = _next - 1;
    }

    /// <summary>The segment <paramref name="size"/> more bytes go to: the last one, or a new one once it is full.</summary>
    private SpoolSegment TailFor(long size)
    {
        var tail = _segments.Count > 0 ? _segments[^1] : null;
        if (tail is null || (tail.Offsets.Count > 0 && tail.Length + size > _options.SegmentBytes))
        {
            if (tail is not null && _options.Durability == SpoolDurability.Fsync)
            {
                // The next commit syncs only the new tail: the old one must be on disk before it stops being the tail.
                RandomAccess.FlushToDisk(tail.Handle);
            }

            tail = CreateSegment(_next);
        }

        return tail;
    }

    private SpoolSegment CreateSegment(ulong first)
    {
        var path = Path.Combine(Directory, first.ToString("x16", CultureInfo.InvariantCulture) + SegmentExtension);
        var segment = SpoolSegment.Create(path, first, _segments.Count > 0 ? _segments[^1].Offsets.Count : 0);
        _segments.Add(segment);
        return segment;
    }

    private void DeleteSegment(SpoolSegment segment)
    {
        Detach(segment);
        Delete(segment);
    }

    /// <summary>Takes <paramref name="segment"/> out of the spool (under the lock).</summary>
    private void Detach(SpoolSegment segment)
    {
        _segments.Remove(segment);
        _bytes -= segment.Length;
    }

    private static void Delete(SpoolSegment segment)
    {
        segment.Handle.Dispose();
        File.Delete(segment.Path);
    }

    private static ulong ParseFirst(string path) =>
        ulong.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var first) ? first : 0;
}
