using System.Buffers;
using System.Globalization;
using System.Text;

namespace SocketDaemon.Client.Framing;

/// <summary>Writes RFC 6587 octet-counted frames: the byte count in decimal, a space, the message.</summary>
public static class OctetFrameWriter
{
    /// <summary>Writes <paramref name="message"/> as one frame.</summary>
    public static void Write(ReadOnlySpan<byte> message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(11 + message.Length);
        var written = WriteCount(span, message.Length);
        message.CopyTo(span[written..]);
        output.Advance(written + message.Length);
    }

    /// <summary>Writes <paramref name="message"/>, encoded as UTF-8, as one frame.</summary>
    public static void Write(ReadOnlySpan<char> message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var byteCount = Encoding.UTF8.GetByteCount(message);
        var span = output.GetSpan(11 + byteCount);
        var written = WriteCount(span, byteCount);
        Encoding.UTF8.GetBytes(message, span[written..]);
        output.Advance(written + byteCount);
    }

    private static int WriteCount(Span<byte> span, int count)
    {
        if (count == 0)
        {
            // RFC 6587: MSG-LEN = NONZERO-DIGIT *DIGIT.
            throw new ArgumentException("Octet counting cannot frame an empty message.");
        }

        count.TryFormat(span, out var digits, default, CultureInfo.InvariantCulture);
        span[digits] = (byte)' ';
        return digits + 1;
    }
}
