using System.Buffers;

namespace SocketDaemon.Framing;

/// <summary>
/// Reads RFC 6587 octet-counted frames, as syslog senders write them over TCP: <c>MSG-LEN SP SYSLOG-MSG</c>, where
/// MSG-LEN is a decimal number without leading zeros (<see href="https://www.rfc-editor.org/rfc/rfc6587#section-3.4.1"/>).
/// A trailing <c>\n</c> or <c>\r\n</c> inside the frame is not part of the message: rsyslog's
/// <c>RSYSLOG_SyslogProtocol23Format</c> and syslog-ng's <c>syslog()</c> driver count one in.
/// </summary>
public sealed class OctetFrameReader : FrameReader
{
    // int.MaxValue has 10 digits; a longer count can only be an error.
    private const int MaxDigits = 10;

    /// <summary>Creates a reader that refuses messages longer than <paramref name="maxMessageBytes"/>.</summary>
    public OctetFrameReader(int maxMessageBytes)
        : base(maxMessageBytes)
    {
    }

    /// <inheritdoc />
    public override FramingKind Kind => FramingKind.Octet;

    /// <inheritdoc />
    public override bool TryRead(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> message)
    {
        message = default;
        var reader = new SequenceReader<byte>(input);
        long length = 0;
        var digits = 0;
        while (true)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }

            if (b == (byte)' ' && digits > 0)
            {
                break;
            }

            if (b is < (byte)'0' or > (byte)'9' || (digits == 0 && b == (byte)'0'))
            {
                throw new FramingException(FramingError.BadLength, $"octet count expected, found byte 0x{b:x2} at position {digits}");
            }

            length = (length * 10) + (b - '0');
            if (++digits > MaxDigits)
            {
                throw new FramingException(FramingError.Oversize, $"octet-counted frame of more than 10 digits of bytes exceeds MaxMessageBytes {MaxMessageBytes}");
            }

            if (length > MaxMessageBytes)
            {
                throw Oversize(ref reader, length, digits);
            }
        }

        if (reader.Remaining < length)
        {
            return false;
        }

        var frame = reader.UnreadSequence.Slice(0, length);
        message = FrameTrimming.TrimLineEnd(frame);
        input = input.Slice(frame.End);
        return true;
    }

    // Too long already: read on to the end of the count, so that the frame's extent is known to skip or cut it.
    private FramingException Oversize(ref SequenceReader<byte> reader, long length, int digits)
    {
        var known = length;
        while (reader.TryRead(out var b))
        {
            if (b == (byte)' ')
            {
                return new FramingException($"octet-counted frame of {length} bytes exceeds MaxMessageBytes {MaxMessageBytes}", digits + 1 + length, digits + 1);
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                return new FramingException(FramingError.BadLength, $"octet count expected, found byte 0x{b:x2} at position {digits}");
            }

            if (++digits > MaxDigits)
            {
                return new FramingException(FramingError.Oversize, $"octet-counted frame of more than 10 digits of bytes exceeds MaxMessageBytes {MaxMessageBytes}");
            }

            length = (length * 10) + (b - '0');
        }

        return new FramingException($"octet-counted frame of {known}... bytes exceeds MaxMessageBytes {MaxMessageBytes}", FramingException.HeaderIncomplete, 0);
    }
}
