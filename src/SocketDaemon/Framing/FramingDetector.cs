using System.Buffers;

namespace SocketDaemon.Framing;

/// <summary>
/// Chooses the framing of an <see cref="FramingKind.Auto"/> connection from its first bytes, without consuming them.
/// </summary>
/// <remarks>
/// Four bytes that read, in host byte order, as a length from 1 to <c>MaxMessageBytes + 1</c> are a seed frame
/// (the high byte is then 0, which no line of text starts with); anything else is lines. With fewer than four bytes
/// the answer is already <see cref="FramingKind.Lines"/> when the bytes seen so far make any seed length too large,
/// as for any text of three printable characters; otherwise it waits for more, or for the connection to end.
/// </remarks>
public static class FramingDetector
{
    /// <summary>
    /// Decides the framing from <paramref name="prefix"/>, the bytes received so far. Returns <see langword="null"/>
    /// when more bytes are needed and <paramref name="isFinal"/> is <see langword="false"/>.
    /// </summary>
    /// <param name="prefix">The first bytes of the connection.</param>
    /// <param name="maxMessageBytes">The listener's <c>MaxMessageBytes</c>.</param>
    /// <param name="isFinal">No more bytes will come: the peer closed, or the wait for them timed out.</param>
    public static FramingKind? Detect(in ReadOnlySequence<byte> prefix, int maxMessageBytes, bool isFinal)
    {
        if (prefix.Length >= SeedFrameReader.HeaderSize)
        {
            var length = SeedFrameReader.ReadLength(prefix);
            return length >= 1 && (long)length <= (long)maxMessageBytes + 1 ? FramingKind.Seed : FramingKind.Lines;
        }

        if (isFinal || !BitConverter.IsLittleEndian)
        {
            return isFinal ? FramingKind.Lines : null;
        }

        // Little-endian: the bytes seen are the low bytes of the length, so they bound it from below.
        Span<byte> low = stackalloc byte[SeedFrameReader.HeaderSize];
        low.Clear();
        prefix.CopyTo(low);
        var lowerBound = BitConverter.ToInt32(low);
        return lowerBound > (long)maxMessageBytes + 1 ? FramingKind.Lines : null;
    }
}
