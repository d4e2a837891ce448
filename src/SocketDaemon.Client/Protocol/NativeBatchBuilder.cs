using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace SocketDaemon.Client.Protocol;

/// <summary>
/// Builds one batch frame in place: the header is written first and its length and count are filled in at
/// <see cref="Complete"/>, so messages are encoded once, straight into the output.
/// </summary>
public sealed class NativeBatchBuilder
{
    private const int BatchHeaderSize = NativeProtocol.FrameHeaderSize + sizeof(ulong) + sizeof(int);

    private readonly ArrayBufferWriter<byte> _output;
    private readonly int _start;

    internal NativeBatchBuilder(ArrayBufferWriter<byte> output, ulong sequence, NativeFrameType type)
    {
        _output = output;
        _start = output.WrittenCount;
        Sequence = sequence;
        var header = output.GetSpan(BatchHeaderSize);
        header[4] = (byte)type;
        BinaryPrimitives.WriteUInt64BigEndian(header[NativeProtocol.FrameHeaderSize..], sequence);
        output.Advance(BatchHeaderSize);
    }

    /// <summary>The batch's sequence number.</summary>
    public ulong Sequence { get; }

    /// <summary>How many messages the batch holds.</summary>
    public int Count { get; private set; }

    /// <summary>The size of the frame so far.</summary>
    public int Bytes => _output.WrittenCount - _start;

    /// <summary>Adds a message, encoded as UTF-8.</summary>
    public void Add(ReadOnlySpan<char> message)
    {
        var length = Encoding.UTF8.GetByteCount(message);
        var span = _output.GetSpan(sizeof(int) + length);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        Encoding.UTF8.GetBytes(message, span[sizeof(int)..]);
        _output.Advance(sizeof(int) + length);
        Count++;
    }

    /// <summary>Adds a message of raw bytes.</summary>
    public void Add(ReadOnlySpan<byte> message)
    {
        var span = _output.GetSpan(sizeof(int) + message.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, message.Length);
        message.CopyTo(span[sizeof(int)..]);
        _output.Advance(sizeof(int) + message.Length);
        Count++;
    }

    /// <summary>Adds one entry of an origin batch, as <see cref="NativeFrameWriter.WriteOriginEntry"/> wrote it.</summary>
    public void AddEntry(ReadOnlySpan<byte> entry)
    {
        _output.Write(entry);
        Count++;
    }

    /// <summary>
    /// Counts <paramref name="count"/> entries that the caller wrote straight into the output (a spool's records, read
    /// back with one read).
    /// </summary>
    internal void AddedEntries(int count) => Count += count;

    /// <summary>Fills in the frame length and message count.</summary>
    public void Complete()
    {
        // ArrayBufferWriter's written memory is contiguous, so the header can be patched in place.
        var frame = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_output.WrittenMemory).Span[_start..];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(frame.Length - 4));
        BinaryPrimitives.WriteInt32BigEndian(frame[(NativeProtocol.FrameHeaderSize + sizeof(ulong))..], Count);
    }
}
