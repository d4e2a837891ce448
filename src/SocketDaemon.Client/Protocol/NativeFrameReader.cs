using System.Buffers;
using System.Buffers.Binary;

namespace SocketDaemon.Client.Protocol;

/// <summary>
/// Reads native-protocol frames and their bodies. Every length is checked against what the body can hold and
/// against the limit before anything is sliced, so random bytes give a <see cref="NativeProtocolException"/>
/// and nothing else.
/// </summary>
public static class NativeFrameReader
{
    /// <summary>
    /// Reads the peer's preface from the start of <paramref name="input"/>. Returns <see langword="false"/> when fewer
    /// than <see cref="NativeProtocol.PrefaceSize"/> bytes have come.
    /// </summary>
    /// <exception cref="NativeProtocolException">The bytes are not a preface.</exception>
    public static bool TryReadPreface(ref ReadOnlySequence<byte> input, out byte version)
    {
        version = 0;
        if (input.Length < NativeProtocol.PrefaceSize)
        {
            return false;
        }

        Span<byte> preface = stackalloc byte[NativeProtocol.PrefaceSize];
        input.Slice(0, NativeProtocol.PrefaceSize).CopyTo(preface);
        if (!preface[..NativeProtocol.Magic.Length].SequenceEqual(NativeProtocol.Magic))
        {
            throw new NativeProtocolException("the peer did not send the native-protocol preface");
        }

        version = preface[^1];
        input = input.Slice(NativeProtocol.PrefaceSize);
        return true;
    }

    /// <summary>
    /// Reads one frame from the start of <paramref name="input"/> and slices it off. Returns <see langword="false"/>,
    /// leaving <paramref name="input"/> as it was, when the frame is not complete yet.
    /// </summary>
    /// <exception cref="NativeProtocolException">The frame's length is 0 or over <paramref name="maxFrameBytes"/>.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> input, int maxFrameBytes, out NativeFrame frame)
    {
        frame = default;
        if (input.Length < sizeof(uint))
        {
            return false;
        }

        // The length is checked as soon as it is there: a frame of length 0 has no type byte to wait for.
        Span<byte> header = stackalloc byte[NativeProtocol.FrameHeaderSize];
        input.Slice(0, sizeof(uint)).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0 || length > (uint)maxFrameBytes)
        {
            throw new NativeProtocolException($"frame length {length} is not between 1 and {maxFrameBytes}");
        }

        if (input.Length < NativeProtocol.FrameHeaderSize)
        {
            return false;
        }

        input.Slice(0, NativeProtocol.FrameHeaderSize).CopyTo(header);

        if (input.Length - 4 < length)
        {
            return false;
        }

        frame = new NativeFrame((NativeFrameType)header[4], input.Slice(NativeProtocol.FrameHeaderSize, length - 1));
        input = input.Slice(4 + length);
        return true;
    }

    /// <summary>Reads the <c>u64</c> id or sequence that starts every body but a reply's payload.</summary>
    public static ulong ReadId(in ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        return reader.TryReadBigEndian(out long id) ? (ulong)id : throw Malformed("a frame is too short for its id");
    }

    /// <summary>Reads a batch: its sequence number, and each message through <paramref name="onMessage"/>.</summary>
    /// <exception cref="NativeProtocolException">The counts and lengths do not fit the body.</exception>
    public static ulong ReadBatch<TState>(in ReadOnlySequence<byte> body, TState state, Action<TState, ReadOnlySequence<byte>> onMessage)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        var reader = new SequenceReader<byte>(body);
        var (sequence, count) = ReadBatchHeader(ref reader);

        for (var i = 0; i < count; i++)
        {
            onMessage(state, ReadLengthPrefixed(ref reader, i));
        }

        return EndBatch(reader, sequence);
    }

    /// <summary>
    /// Reads an origin batch: its sequence number, and each message with its origin (empty when it has none) through
    /// <paramref name="onMessage"/>.
    /// </summary>
    /// <exception cref="NativeProtocolException">The counts and lengths do not fit the body.</exception>
    public static ulong ReadOriginBatch<TState>(in ReadOnlySequence<byte> body, TState state, Action<TState, ReadOnlySequence<byte>, ReadOnlySequence<byte>> onMessage)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        var reader = new SequenceReader<byte>(body);
        var (sequence, count) = ReadBatchHeader(ref reader);

        for (var i = 0; i < count; i++)
        {
            var origin = ReadLengthPrefixed(ref reader, i);
            onMessage(state, origin, ReadLengthPrefixed(ref reader, i));
        }

        return EndBatch(reader, sequence);
    }

    /// <summary>Reads a session request: its id and the session id.</summary>
    public static ulong ReadSession(in ReadOnlySequence<byte> body, out Guid session)
    {
        var reader = new SequenceReader<byte>(body);
        Span<byte> bytes = stackalloc byte[NativeProtocol.SessionIdSize];
        if (!reader.TryReadBigEndian(out long id) || !reader.TryCopyTo(bytes) || reader.Remaining != NativeProtocol.SessionIdSize)
        {
            throw Malformed("a session request does not fit its frame");
        }

        session = new Guid(bytes, bigEndian: true);
        return (ulong)id;
    }

    /// <summary>Reads an acknowledgement: the batch's sequence, how many messages were taken, and the refused ones.</summary>
    public static ulong ReadAck(in ReadOnlySequence<byte> body, out int accepted, out IReadOnlyList<(int Index, NativeErrorCode Code)> errors)
    {
        var reader = new SequenceReader<byte>(body);
        if (!reader.TryReadBigEndian(out long sequence) || !reader.TryReadBigEndian(out accepted) || !reader.TryReadBigEndian(out int count)
            || count < 0 || count > NativeProtocol.MaxBatchMessages || reader.Remaining != count * 5L)
        {
            throw Malformed("an acknowledgement does not fit its frame");
        }

        var list = new List<(int, NativeErrorCode)>(count);
        for (var i = 0; i < count; i++)
        {
            reader.TryReadBigEndian(out int index);
            reader.TryRead(out var code);
            list.Add((index, (NativeErrorCode)code));
        }

        errors = list;
        return (ulong)sequence;
    }

    /// <summary>Reads a tail request: its id, the listener (empty for all) and the text to find (empty for all).</summary>
    public static ulong ReadTail(in ReadOnlySequence<byte> body, out string listener, out string grep)
    {
        var reader = new SequenceReader<byte>(body);
        if (!reader.TryReadBigEndian(out long id) || !reader.TryReadBigEndian(out short nameLength) || (ushort)nameLength > reader.Remaining)
        {
            throw Malformed("a tail request does not fit its frame");
        }

        listener = System.Text.Encoding.UTF8.GetString(reader.UnreadSequence.Slice(0, (ushort)nameLength).ToArray());
        grep = System.Text.Encoding.UTF8.GetString(reader.UnreadSequence.Slice((ushort)nameLength).ToArray());
        return (ulong)id;
    }

    /// <summary>Reads an error reply: the id it answers, its code and its text.</summary>
    public static ulong ReadError(in ReadOnlySequence<byte> body, out NativeErrorCode code, out string message)
    {
        var reader = new SequenceReader<byte>(body);
        if (!reader.TryReadBigEndian(out long id) || !reader.TryRead(out var value))
        {
            throw Malformed("an error reply is too short");
        }

        code = (NativeErrorCode)value;
        message = System.Text.Encoding.UTF8.GetString(reader.UnreadSequence.ToArray());
        return (ulong)id;
    }

    private static (ulong Sequence, int Count) ReadBatchHeader(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadBigEndian(out long sequence) || !reader.TryReadBigEndian(out int count))
        {
            throw Malformed("a batch is too short for its header");
        }

        if (count < 0 || count > NativeProtocol.MaxBatchMessages)
        {
            throw Malformed($"a batch count of {(uint)count} is over {NativeProtocol.MaxBatchMessages}");
        }

        return ((ulong)sequence, count);
    }

    private static ulong EndBatch(in SequenceReader<byte> reader, ulong sequence) =>
        reader.End ? sequence : throw Malformed("a batch has bytes after its last message");

    private static ReadOnlySequence<byte> ReadLengthPrefixed(ref SequenceReader<byte> reader, int index)
    {
        if (!reader.TryReadBigEndian(out int length) || length < 0 || length > reader.Remaining)
        {
            throw Malformed($"message {index} of the batch runs past the frame");
        }

        var bytes = reader.UnreadSequence.Slice(0, length);
        reader.Advance(length);
        return bytes;
    }

    private static NativeProtocolException Malformed(string message) => new(message);
}
