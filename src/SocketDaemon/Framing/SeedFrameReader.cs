using System.Buffers;
using System.Runtime.InteropServices;

namespace SocketDaemon.Framing;

/// <summary>
/// Reads the classic <c>sock-client.c</c> frame: <c>int length</c> in host byte order, counting a trailing NUL,
/// then <c>length</c> bytes. The NUL is not part of the message.
/// </summary>
/// <remarks>
/// The length is checked before anything is sliced or buffered: a zero, negative or oversized length is
/// refused at once, so a peer cannot make the daemon wait for, or hold, more than
/// <see cref="FrameReader.MaxMessageBytes"/> plus the NUL.
/// </remarks>
public sealed class SeedFrameReader : FrameReader
{
    /// <summary>The size of the length prefix.</summary>
    public const int HeaderSize = sizeof(int);

    /// <summary>Creates a reader that refuses messages longer than <paramref name="maxMessageBytes"/>.</summary>
    public SeedFrameReader(int maxMessageBytes)
        : base(maxMessageBytes)
    {
    }

    /// <inheritdoc />
    public override FramingKind Kind => FramingKind.Seed;

    /// <inheritdoc />
    public override bool TryRead(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (input.Length < HeaderSize)
        {
            return false;
        }

        var length = ReadLength(input);
        if (length <= 0)
        {
            throw new FramingException(
                length == 0 ? FramingError.ZeroLength : FramingError.NegativeLength,
                $"seed frame length {length} is not positive");
        }

        // The length counts the NUL, so the largest valid one is MaxMessageBytes + 1.
        if (length - 1 > MaxMessageBytes)
        {
            throw new FramingException($"seed frame of {length - 1} bytes exceeds MaxMessageBytes {MaxMessageBytes}", HeaderSize + (long)length, HeaderSize);
        }

        if (input.Length - HeaderSize < length)
        {
            return false;
        }

        var first = input.FirstSpan;
        if (first.Length - HeaderSize >= length)
        {
            // The whole frame in the first segment (nearly always): sliced by offsets, not by seeking through the sequence.
            message = input.Slice(HeaderSize, first[HeaderSize + length - 1] == 0 ? length - 1 : length);
            input = input.Slice(HeaderSize + length);
            return true;
        }

        var frame = input.Slice(HeaderSize, length);
        message = EndsWithNul(frame) ? frame.Slice(0, length - 1) : frame;
        input = input.Slice(frame.End);
        return true;
    }

    /// <summary>Reads the length prefix in host byte order from the first four bytes of <paramref name="input"/>.</summary>
    internal static int ReadLength(in ReadOnlySequence<byte> input)
    {
        var first = input.FirstSpan;
        if (first.Length >= HeaderSize)
        {
            return MemoryMarshal.Read<int>(first);
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        input.Slice(0, HeaderSize).CopyTo(header);
        return MemoryMarshal.Read<int>(header);
    }

    // sock-client.c always sends the NUL; a client that leaves it out loses no byte of its message.
    private static bool EndsWithNul(in ReadOnlySequence<byte> frame) =>
        frame.IsSingleSegment ? frame.FirstSpan[^1] == 0 : frame.Slice(frame.Length - 1).FirstSpan[0] == 0;
}
