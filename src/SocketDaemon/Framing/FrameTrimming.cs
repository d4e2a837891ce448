using System.Buffers;

namespace SocketDaemon.Framing;

/// <summary>The line ends and terminators that senders put after a message but that are not part of it.</summary>
public static class FrameTrimming
{
    /// <summary><paramref name="frame"/> without one trailing <c>\n</c> or <c>\r\n</c>.</summary>
    public static ReadOnlySequence<byte> TrimLineEnd(in ReadOnlySequence<byte> frame)
    {
        if (frame.IsEmpty)
        {
            return frame;
        }

        if (frame.IsSingleSegment)
        {
            var span = frame.FirstSpan;
            return span[^1] != (byte)'\n' ? frame
                : frame.Slice(0, span.Length > 1 && span[^2] == (byte)'\r' ? span.Length - 2 : span.Length - 1);
        }

        Span<byte> tail = stackalloc byte[2];
        var tailLength = (int)Math.Min(2, frame.Length);
        frame.Slice(frame.Length - tailLength).CopyTo(tail);
        if (tail[tailLength - 1] != (byte)'\n')
        {
            return frame;
        }

        return frame.Slice(0, frame.Length - (tailLength == 2 && tail[0] == (byte)'\r' ? 2 : 1));
    }

    /// <summary>Where the first <c>\n</c> or NUL in <paramref name="input"/> is: the end of a line (<see cref="FramingKind.Lines"/>).</summary>
    public static SequencePosition? PositionOfLineEnd(in ReadOnlySequence<byte> input)
    {
        var position = input.Start;
        var result = position;
        while (input.TryGet(ref position, out var segment))
        {
            var index = segment.Span.IndexOfAny((byte)'\n', (byte)0);
            if (index >= 0)
            {
                return input.GetPosition(index, result);
            }

            result = position;
        }

        return null;
    }

    /// <summary>
    /// A datagram's message without what senders append: any trailing NUL (Python's <c>SysLogHandler</c>), <c>\r</c>
    /// and <c>\n</c> bytes.
    /// </summary>
    public static ReadOnlySpan<byte> TrimDatagram(ReadOnlySpan<byte> datagram) => datagram.TrimEnd("\0\r\n"u8);
}
