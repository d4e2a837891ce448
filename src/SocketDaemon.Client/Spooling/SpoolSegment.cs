using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace SocketDaemon.Client.Spooling;

/// <summary>One segment file of a <see cref="DiskSpool"/>: its records' offsets, and the recovery scan that finds them.</summary>
/// <remarks>
/// A segment after the first makes room for as many records as its predecessor held (<c>capacity</c>), so that its
/// offsets do not grow by doubling, record by record, to the same size again.
/// </remarks>
internal sealed class SpoolSegment(string path, ulong first, SafeFileHandle handle, int capacity = 0)
{
    /// <summary>A record's header: <c>u32 length</c>, <c>u32 CRC-32 of the payload</c>, big-endian.</summary>
    public const int HeaderSize = 8;

    public string Path { get; } = path;

    public ulong First { get; } = first;

    public SafeFileHandle Handle { get; } = handle;

    public List<long> Offsets { get; } = new(capacity);

    public long Length { get; set; }

    public ulong Last => First + (ulong)Offsets.Count - 1;

    /// <summary>A new, empty segment file, with room for <paramref name="capacity"/> records' offsets.</summary>
    public static SpoolSegment Create(string path, ulong first, int capacity)
    {
        // Not FileMode.Create: its truncation (even of a new, empty file) makes ext4 write the whole segment back when
        // it is closed, just before it is deleted. A leftover of the same name (there should be none) is cut here.
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (RandomAccess.GetLength(handle) > 0)
        {
            RandomAccess.SetLength(handle, 0);
        }

        return new SpoolSegment(path, first, handle, capacity);
    }

    /// <summary>The payload length of the record at <paramref name="index"/>, from the offsets.</summary>
    public int PayloadLength(int index) =>
        (int)((index + 1 < Offsets.Count ? Offsets[index + 1] : Length) - Offsets[index] - HeaderSize);

    /// <summary>
    /// Writes the payloads of the records <paramref name="from"/> to <paramref name="to"/> (indexes in this segment) one
    /// after the other to <paramref name="output"/>: one read of the whole run, then the headers squeezed out in place.
    /// </summary>
    /// <returns>How many records were written.</returns>
    public int CopyPayloads(int from, int to, System.Buffers.IBufferWriter<byte> output, bool keepHeaders = false)
    {
        var start = Offsets[from];
        var size = (int)((to + 1 < Offsets.Count ? Offsets[to + 1] : Length) - start);
        var span = output.GetSpan(size)[..size];
        if (RandomAccess.Read(Handle, span, start) != size)
        {
            throw new IOException($"the spool segment {Path} is shorter than its records");
        }

        if (keepHeaders)
        {
            output.Advance(size);
            return to - from + 1;
        }

        var written = 0;
        for (var offset = 0; offset < size;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(span[offset..]);
            span.Slice(offset + HeaderSize, length).CopyTo(span[written..]);
            written += length;
            offset += HeaderSize + length;
        }

        output.Advance(written);
        return to - from + 1;
    }

    /// <summary>Reads the records and cuts the file at the first one that is not whole and intact.</summary>
    /// <returns>How many bytes were cut off.</returns>
    public long Scan(int maxRecordBytes)
    {
        var fileLength = RandomAccess.GetLength(Handle);
        Span<byte> header = stackalloc byte[HeaderSize];
        long offset = 0;
        byte[] payload = [];
        while (offset + HeaderSize <= fileLength)
        {
            RandomAccess.Read(Handle, header, offset);
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (length > (uint)maxRecordBytes || offset + HeaderSize + length > fileLength)
            {
                break;
            }

            if (payload.Length < length)
            {
                payload = new byte[Math.Max(length, payload.Length * 2)];
            }

            var span = payload.AsSpan(0, (int)length);
            if (RandomAccess.Read(Handle, span, offset + HeaderSize) != length
                || Crc32.HashToUInt32(span) != BinaryPrimitives.ReadUInt32BigEndian(header[4..]))
            {
                break;
            }

            Offsets.Add(offset);
            offset += HeaderSize + length;
        }

        var cut = fileLength - offset;
        if (cut > 0)
        {
            RandomAccess.SetLength(Handle, offset);
        }

        Length = offset;
        return Math.Max(cut, 0);
    }
}
