using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace SocketDaemon.Client.Protocol;

/// <summary>Writes native-protocol prefaces and frames.</summary>
public static class NativeFrameWriter
{
    /// <summary>Writes a preface offering or choosing <paramref name="version"/>.</summary>
    public static void WritePreface(IBufferWriter<byte> output, byte version = NativeProtocol.Version)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(NativeProtocol.PrefaceSize);
        NativeProtocol.Magic.CopyTo(span);
        span[NativeProtocol.Magic.Length] = version;
        output.Advance(NativeProtocol.PrefaceSize);
    }

    /// <summary>Writes a request or reply whose body is just <paramref name="id"/>.</summary>
    public static void WriteIdFrame(IBufferWriter<byte> output, NativeFrameType type, ulong id)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = BeginFrame(output, type, sizeof(ulong));
        BinaryPrimitives.WriteUInt64BigEndian(span, id);
        output.Advance(NativeProtocol.FrameHeaderSize + sizeof(ulong));
    }

    /// <summary>Writes a session request: the connection's batches belong to <paramref name="session"/> from then on.</summary>
    public static void WriteSession(IBufferWriter<byte> output, ulong id, Guid session)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = BeginFrame(output, NativeFrameType.Session, sizeof(ulong) + NativeProtocol.SessionIdSize);
        BinaryPrimitives.WriteUInt64BigEndian(span, id);
        session.TryWriteBytes(span[sizeof(ulong)..], bigEndian: true, out _);
        output.Advance(NativeProtocol.FrameHeaderSize + span.Length);
    }

    /// <summary>
    /// Writes one entry of an origin batch: <c>i32 origin length, origin, i32 length, message</c>. The spool keeps
    /// entries in this form, so that a batch is its entries one after the other.
    /// </summary>
    public static void WriteOriginEntry(IBufferWriter<byte> output, MessageOrigin? origin, ReadOnlySequence<byte> message)
    {
        ArgumentNullException.ThrowIfNull(output);
        var originBytes = new ArrayBufferWriter<byte>(origin is null ? 1 : 128);
        origin?.Write(originBytes);
        var span = output.GetSpan(8 + originBytes.WrittenCount + (int)message.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, originBytes.WrittenCount);
        originBytes.WrittenSpan.CopyTo(span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span[(4 + originBytes.WrittenCount)..], (int)message.Length);
        message.CopyTo(span[(8 + originBytes.WrittenCount)..]);
        output.Advance(8 + originBytes.WrittenCount + (int)message.Length);
    }

    /// <summary>Writes a tail request for the messages of <paramref name="listener"/> (all when empty) containing <paramref name="grep"/>.</summary>
    public static void WriteTail(IBufferWriter<byte> output, ulong id, string listener, string grep)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(grep);
        var name = Encoding.UTF8.GetBytes(listener);
        var text = Encoding.UTF8.GetBytes(grep);
        var span = BeginFrame(output, NativeFrameType.Tail, sizeof(ulong) + 2 + name.Length + text.Length);
        BinaryPrimitives.WriteUInt64BigEndian(span, id);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], checked((ushort)name.Length));
        name.CopyTo(span[10..]);
        text.CopyTo(span[(10 + name.Length)..]);
        output.Advance(NativeProtocol.FrameHeaderSize + span.Length);
    }

    /// <summary>Writes a frame of <paramref name="type"/> whose body is <paramref name="id"/> then <paramref name="payload"/>.</summary>
    public static void WriteIdPayload(IBufferWriter<byte> output, NativeFrameType type, ulong id, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = BeginFrame(output, type, sizeof(ulong) + payload.Length);
        BinaryPrimitives.WriteUInt64BigEndian(span, id);
        payload.CopyTo(span[sizeof(ulong)..]);
        output.Advance(NativeProtocol.FrameHeaderSize + sizeof(ulong) + payload.Length);
    }

    /// <summary>Writes a status reply carrying <paramref name="json"/>.</summary>
    public static void WriteStatusReply(IBufferWriter<byte> output, ulong id, ReadOnlySpan<byte> json) =>
        WriteIdPayload(output, NativeFrameType.StatusReply, id, json);

    /// <summary>Writes an error reply to the request or batch <paramref name="id"/>.</summary>
    public static void WriteError(IBufferWriter<byte> output, ulong id, NativeErrorCode code, string message)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(message);
        var text = Encoding.UTF8.GetByteCount(message);
        var span = BeginFrame(output, NativeFrameType.Error, sizeof(ulong) + 1 + text);
        BinaryPrimitives.WriteUInt64BigEndian(span, id);
        span[sizeof(ulong)] = (byte)code;
        Encoding.UTF8.GetBytes(message, span[(sizeof(ulong) + 1)..]);
        output.Advance(NativeProtocol.FrameHeaderSize + sizeof(ulong) + 1 + text);
    }

    /// <summary>Writes the acknowledgement of batch <paramref name="sequence"/>.</summary>
    public static void WriteAck(IBufferWriter<byte> output, ulong sequence, int accepted, IReadOnlyList<(int Index, NativeErrorCode Code)> errors)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        var bodyLength = sizeof(ulong) + 4 + 4 + (errors.Count * 5);
        var span = BeginFrame(output, NativeFrameType.Ack, bodyLength);
        BinaryPrimitives.WriteUInt64BigEndian(span, sequence);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], accepted);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], errors.Count);
        var offset = 16;
        foreach (var (index, code) in errors)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[offset..], index);
            span[offset + 4] = (byte)code;
            offset += 5;
        }

        output.Advance(NativeProtocol.FrameHeaderSize + bodyLength);
    }

    /// <summary>
    /// Starts a batch frame. Add messages with <see cref="NativeBatchBuilder.Add(ReadOnlySpan{char})"/>, then
    /// <see cref="NativeBatchBuilder.Complete"/> it.
    /// </summary>
    public static NativeBatchBuilder BeginBatch(ArrayBufferWriter<byte> output, ulong sequence) => new(output, sequence, NativeFrameType.Batch);

    /// <summary>
    /// Starts an origin batch (version 2). Add entries written by <see cref="WriteOriginEntry"/> with
    /// <see cref="NativeBatchBuilder.AddEntry"/>, then <see cref="NativeBatchBuilder.Complete"/> it.
    /// </summary>
    public static NativeBatchBuilder BeginOriginBatch(ArrayBufferWriter<byte> output, ulong sequence) => new(output, sequence, NativeFrameType.OriginBatch);

    private static Span<byte> BeginFrame(IBufferWriter<byte> output, NativeFrameType type, int bodyLength)
    {
        var span = output.GetSpan(NativeProtocol.FrameHeaderSize + bodyLength);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(bodyLength + 1));
        span[4] = (byte)type;
        return span.Slice(NativeProtocol.FrameHeaderSize, bodyLength);
    }
}
