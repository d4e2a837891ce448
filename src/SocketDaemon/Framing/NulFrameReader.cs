using System.Buffers;

namespace SocketDaemon.Framing;

/// <summary>
/// Reads NUL-terminated messages (<see cref="FramingKind.Nul"/>), as Python's <c>SysLogHandler</c> over TCP and
/// rsyslog's <c>AddtlFrameDelimiter="0"</c> send them: the bytes up to a NUL, which may hold newlines, without a
/// trailing <c>\n</c> or <c>\r\n</c>. A last message without NUL ends with the connection.
/// </summary>
public sealed class NulFrameReader : FrameReader
{
    /// <summary>Creates a reader that refuses messages longer than <paramref name="maxMessageBytes"/>.</summary>
    public NulFrameReader(int maxMessageBytes)
        : base(maxMessageBytes)
    {
    }

    /// <inheritdoc />
    public override FramingKind Kind => FramingKind.Nul;

    /// <inheritdoc />
    public override bool TryRead(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> message)
    {
        // Look no further than the longest message allowed (and its CR LF NUL): past that, waiting is pointless.
        var window = input.Length > MaxMessageBytes + 3 ? input.Slice(0, MaxMessageBytes + 3) : input;
        var nul = window.PositionOf((byte)0);
        if (nul is null)
        {
            message = default;
            if (window.Length > MaxMessageBytes + 2)
            {
                // Its end is unknown: the connection closes (the next newline may be part of the message).
                throw new FramingException($"message longer than MaxMessageBytes {MaxMessageBytes} without a NUL", 0, 0);
            }

            return false;
        }

        var frame = input.Slice(0, nul.Value);
        message = FrameTrimming.TrimLineEnd(frame);
        if (message.Length > MaxMessageBytes)
        {
            throw new FramingException($"message of {message.Length} bytes exceeds MaxMessageBytes {MaxMessageBytes}", frame.Length + 1, 0);
        }

        input = input.Slice(input.GetPosition(1, nul.Value));
        return true;
    }

    /// <inheritdoc />
    public override ReadOnlySequence<byte> ReadFinal(ReadOnlySequence<byte> input)
    {
        var message = FrameTrimming.TrimLineEnd(input);
        return message.Length <= MaxMessageBytes
            ? message
            : throw new FramingException($"message of {message.Length} bytes exceeds MaxMessageBytes {MaxMessageBytes}", input.Length, 0);
    }
}
