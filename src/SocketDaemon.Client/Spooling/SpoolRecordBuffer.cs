using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace SocketDaemon.Client.Spooling;

/// <summary>
/// Records waiting to be appended to a <see cref="DiskSpool"/> with one write (<see cref="DiskSpool.AppendRecords"/>),
/// already in the spool's form: <c>u32 length</c>, <c>u32 CRC-32</c>, payload. A record's payload is written through
/// <see cref="IBufferWriter{T}"/> between <see cref="BeginRecord"/> and <see cref="EndRecord"/>.
/// </summary>
/// <remarks>
/// The array is rented from the shared pool and given back by <see cref="Reset"/>, so that a connection between
/// batches holds none.
/// </remarks>
internal sealed class SpoolRecordBuffer : IBufferWriter<byte>
{
    private byte[] _buffer = [];
    private int _written;
    private int _recordStart = -1;

    /// <summary>How many whole records the buffer holds.</summary>
    public int Count { get; private set; }

    /// <summary>The bytes the whole records take, headers included: what the spool grows by.</summary>
    public int Bytes => _recordStart < 0 ? _written : _recordStart;

    /// <summary>The whole records.</summary>
    public ReadOnlySpan<byte> Records => _buffer.AsSpan(0, Bytes);

    /// <summary>Starts a record; its payload follows through <see cref="GetSpan"/> and <see cref="Advance"/>.</summary>
    public void BeginRecord()
    {
        if (_recordStart >= 0)
        {
            throw new InvalidOperationException("a record is already begun");
        }

        Reserve(SpoolSegment.HeaderSize);
        _recordStart = _written;
        _written += SpoolSegment.HeaderSize;
    }

    /// <summary>Ends the record begun last, filling in its length and CRC.</summary>
    /// <exception cref="ArgumentException">The payload is over <paramref name="maxRecordBytes"/>; the record is dropped.</exception>
    public void EndRecord(int maxRecordBytes)
    {
        var start = _recordStart;
        _recordStart = -1;
        var payload = _buffer.AsSpan(start + SpoolSegment.HeaderSize, _written - start - SpoolSegment.HeaderSize);
        if (payload.Length > maxRecordBytes)
        {
            _written = start;
            throw new ArgumentException($"a record of {payload.Length} bytes is over the spool's {maxRecordBytes}");
        }

        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(start), (uint)payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(start + 4), Crc32.HashToUInt32(payload));
        Count++;
    }

    /// <summary>Drops every record and gives the array back to the pool.</summary>
    public void Reset()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _written = 0;
        _recordStart = -1;
        Count = 0;
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Reserve(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_written + sizeHint, Math.Max(_buffer.Length * 2, 16 * 1024)));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
    }
}
