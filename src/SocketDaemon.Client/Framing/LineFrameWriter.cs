using System.Buffers;
using System.Text;

namespace SocketDaemon.Client.Framing;

/// <summary>Writes a message followed by <c>\n</c>.</summary>
public static class LineFrameWriter
{
    /// <summary>Writes <paramref name="message"/> as one line.</summary>
    /// <exception cref="ArgumentException">The message contains a newline, which would split it in two.</exception>
    public static void Write(ReadOnlySpan<byte> message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (message.Contains((byte)'\n'))
        {
            throw NewlineInMessage();
        }

        var span = output.GetSpan(message.Length + 1);
        message.CopyTo(span);
        span[message.Length] = (byte)'\n';
        output.Advance(message.Length + 1);
    }

    /// <summary>Writes <paramref name="message"/>, encoded as UTF-8, as one line.</summary>
    /// <exception cref="ArgumentException">The message contains a newline, which would split it in two.</exception>
    public static void Write(ReadOnlySpan<char> message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (message.Contains('\n'))
        {
            throw NewlineInMessage();
        }

        var byteCount = Encoding.UTF8.GetByteCount(message);
        var span = output.GetSpan(byteCount + 1);
        Encoding.UTF8.GetBytes(message, span);
        span[byteCount] = (byte)'\n';
        output.Advance(byteCount + 1);
    }

    private static ArgumentException NewlineInMessage() =>
        new("A message sent with lines framing cannot contain a newline; use seed framing for multi-line messages.", "message");
}
