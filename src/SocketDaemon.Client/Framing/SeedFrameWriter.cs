using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace SocketDaemon.Client.Framing;

/// <summary>
/// Writes the classic <c>sock-client.c</c> frame: <c>int length</c> in host byte order, counting the trailing NUL,
/// then the text and the NUL.
/// </summary>
public static class SeedFrameWriter
{
    /// <summary>The size of the length prefix.</summary>
    public const int HeaderSize = sizeof(int);

    /// <summary>Writes <paramref name="message"/> as one frame.</summary>
    /// <exception cref="ArgumentException">The message is too long for a 32-bit length.</exception>
    public static void Write(ReadOnlySpan<byte> message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var length = checked(message.Length + 1);
        var span = output.GetSpan(HeaderSize + length);
        WriteHeader(span, length);
        message.CopyTo(span[HeaderSize..]);
        span[HeaderSize + message.Length] = 0;
        output.Advance(HeaderSize + length);
    }

    /// <summary>Writes <paramref name="message"/>, encoded as UTF-8, as one frame without an intermediate buffer.</summary>
    public static void Write(ReadOnlySpan<char> message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var byteCount = Encoding.UTF8.GetByteCount(message);
        var length = checked(byteCount + 1);
        var span = output.GetSpan(HeaderSize + length);
        WriteHeader(span, length);
        Encoding.UTF8.GetBytes(message, span[HeaderSize..]);
        span[HeaderSize + byteCount] = 0;
        output.Advance(HeaderSize + length);
    }

    // Host byte order, exactly as write(fd, &length, sizeof(length)) puts it on the wire.
    private static void WriteHeader(Span<byte> span, int length) => MemoryMarshal.Write(span, in length);
}
