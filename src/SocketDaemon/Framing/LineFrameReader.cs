using System.Buffers;

namespace SocketDaemon.Framing;

/// <summary>
/// Reads one message per line: the bytes up to <c>\n</c>, with a trailing <c>\r</c> dropped, as <c>nc</c>,
/// <c>logger --socket</c> and syslog's LF framing send them. A last line without <c>\n</c> ends with the connection.
/// A NUL ends a line as well, the way rsyslog's <c>AddtlFrameDelimiter</c> reads it: Python's <c>SysLogHandler</c>
/// over TCP ends each message with NUL alone.
/// </summary>
public sealed class LineFrameReader : FrameReader
{
    /// <summary>Creates a reader that refuses lines longer than <paramref name="maxMessageBytes"/>.</summary>
    public LineFrameReader(int maxMessageBytes)
        : base(maxMessageBytes)
    {
    }

    /// <inheritdoc />
    public override FramingKind Kind => FramingKind.Lines;

    /// <inheritdoc />
    public override bool TryRead(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> message)
    {
        // Nearly every line lies whole in the first segment: found there with one span search, not a walk of the sequence.
        var first = input.FirstSpan;
        var end = first.IndexOfAny((byte)'\n', (byte)0);
        if (end >= 0 && end <= MaxMessageBytes)
        {
            message = input.Slice(0, end > 0 && first[end - 1] == (byte)'\r' ? end - 1 : end);
            input = input.Slice(end + 1);
            return true;
        }

        // Look no further than the longest line allowed (and its \r\n): past that, waiting is pointless.
        var window = input.Length > MaxMessageBytes + 2 ? input.Slice(0, MaxMessageBytes + 2) : input;
        var newline = FrameTrimming.PositionOfLineEnd(window);
        if (newline is null)
        {
            message = default;
            if (window.Length > MaxMessageBytes + 1 || (window.Length == MaxMessageBytes + 1 && !EndsWithCarriageReturn(window)))
            {
                throw new FramingException($"line longer than MaxMessageBytes {MaxMessageBytes} without a newline", FramingException.ThroughNewline, 0);
            }

            return false;
        }

        message = TrimCarriageReturn(input.Slice(0, newline.Value));
        if (message.Length > MaxMessageBytes)
        {
            throw new FramingException($"line of {message.Length} bytes exceeds MaxMessageBytes {MaxMessageBytes}", input.Slice(0, newline.Value).Length + 1, 0);
        }

        input = input.Slice(input.GetPosition(1, newline.Value));
        return true;
    }

    /// <inheritdoc />
    public override ReadOnlySequence<byte> ReadFinal(ReadOnlySequence<byte> input)
    {
        var message = TrimCarriageReturn(input);
        return message.Length <= MaxMessageBytes
            ? message
            : throw new FramingException($"line of {message.Length} bytes exceeds MaxMessageBytes {MaxMessageBytes}", input.Length, 0);
    }

    private static ReadOnlySequence<byte> TrimCarriageReturn(ReadOnlySequence<byte> line) =>
        EndsWithCarriageReturn(line) ? line.Slice(0, line.Length - 1) : line;

    private static bool EndsWithCarriageReturn(in ReadOnlySequence<byte> line) =>
        !line.IsEmpty && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r';
}
