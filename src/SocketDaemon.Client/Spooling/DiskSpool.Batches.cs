using System.Buffers;
using System.Buffers.Binary;

namespace SocketDaemon.Client.Spooling;

/// <summary>
/// The spool's batch operations, for senders that move many records at once: a whole batch appended with one write,
/// and ranges found from the offsets alone and read with one read per segment.
/// </summary>
public sealed partial class DiskSpool
{
    /// <summary>
    /// Appends the whole records of <paramref name="records"/> with one write, numbered in order, and returns the last
    /// one's number; like <see cref="Append"/>, call <see cref="Commit"/> before telling anyone they are safe.
    /// </summary>
    /// <exception cref="SpoolFullException">They do not fit under <see cref="DiskSpoolOptions.MaxBytes"/>; nothing was written.</exception>
    internal ulong AppendRecords(SpoolRecordBuffer records)
    {
        var bytes = records.Records;
        TaskCompletionSource appended;
        ulong last;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_bytes + bytes.Length > _options.MaxBytes)
            {
                throw new SpoolFullException($"the spool {Directory} is full ({_bytes} of {_options.MaxBytes} bytes)");
            }

            var tail = TailFor(bytes.Length);
            RandomAccess.Write(tail.Handle, bytes, tail.Length);
            for (var offset = 0; offset < bytes.Length; offset += HeaderSize + (int)BinaryPrimitives.ReadUInt32BigEndian(bytes[offset..]))
            {
                tail.Offsets.Add(tail.Length + offset);
            }

            tail.Length += bytes.Length;
            _bytes += bytes.Length;
            _next += (ulong)records.Count;
            last = _next - 1;
            appended = _appended;
            _appended = NewSignal();
        }

        appended.TrySetResult();
        return last;
    }

    /// <summary>The most payload bytes one record may have.</summary>
    internal int MaxRecordBytes => _options.MaxRecordBytes;

    /// <summary>Throws when <paramref name="bytes"/> more would not fit: a check before records are staged, which <see cref="AppendRecords"/> makes again.</summary>
    /// <exception cref="SpoolFullException">The spool holds too much for them.</exception>
    internal void EnsureRoomFor(long bytes)
    {
        var held = Volatile.Read(ref _bytes);
        if (held + bytes > _options.MaxBytes)
        {
            throw new SpoolFullException($"the spool {Directory} is full ({held} of {_options.MaxBytes} bytes)");
        }
    }

    /// <summary>
    /// The run of consecutive records from <paramref name="from"/> on (skipping acknowledged ones), at most
    /// <paramref name="maxRecords"/> and, after the first, at most <paramref name="maxBytes"/> of payload, found from
    /// the records' offsets without reading them; <see langword="null"/> when there is none.
    /// </summary>
    internal SpoolRange? NextRange(ulong from, int maxRecords, long maxBytes)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var sequence = Math.Max(from, _acknowledged + 1);
            ulong first = 0, last = 0;
            long bytes = 0;
            foreach (var segment in _segments)
            {
                if (segment.Offsets.Count == 0 || segment.Last < sequence)
                {
                    continue;
                }

                // Numbers are consecutive within a batch; a gap (records cut by recovery) ends it.
                if (first != 0 && segment.First != last + 1)
                {
                    break;
                }

                for (var i = (int)(Math.Max(sequence, segment.First) - segment.First); i < segment.Offsets.Count; i++)
                {
                    var length = segment.PayloadLength(i);
                    if ((first != 0 && last - first + 1 == (ulong)maxRecords) || (first != 0 && bytes + length > maxBytes))
                    {
                        return new SpoolRange(first, last);
                    }

                    first = first == 0 ? segment.First + (ulong)i : first;
                    last = segment.First + (ulong)i;
                    bytes += length;
                }
            }

            return first == 0 ? null : new SpoolRange(first, last);
        }
    }

    /// <summary>
    /// Writes the payloads of the records in <paramref name="range"/> one after the other to <paramref name="output"/>,
    /// reading each segment's part with one read, and returns how many there were; with <paramref name="keepHeaders"/>
    /// each keeps its header (<c>u32 length, u32 CRC</c>), for payloads that do not say where they end.
    /// </summary>
    internal int CopyPayloads(SpoolRange range, IBufferWriter<byte> output, bool keepHeaders = false)
    {
        var count = 0;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var segment in _segments)
            {
                if (segment.Offsets.Count == 0 || segment.Last < range.First || segment.First > range.Last)
                {
                    continue;
                }

                count += segment.CopyPayloads((int)(Math.Max(range.First, segment.First) - segment.First), (int)(Math.Min(range.Last, segment.Last) - segment.First), output, keepHeaders);
            }
        }

        return count;
    }
}
