using System.Text;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// Escapes bytes as the contents of a JSON string (RFC 8259 section 7): <c>"</c>, <c>\</c> and control bytes are
/// escaped (<c>\n</c>, <c>\t</c>, <c>\u001b</c>...), valid UTF-8 is copied as it is, and each invalid UTF-8 sequence
/// becomes <c>\ufffd</c> (U+FFFD REPLACEMENT CHARACTER), so that every line is valid JSON whatever the sender sent.
/// </summary>
public static class JsonEscaping
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    /// <summary>The most bytes <paramref name="length"/> bytes can take escaped (<c>\u00XX</c> for each).</summary>
    public static int MaxEscapedLength(int length) => checked(length * 6);

    /// <summary>Escapes <paramref name="source"/> into <paramref name="destination"/>, which must hold <see cref="MaxEscapedLength"/> bytes.</summary>
    /// <returns>The number of bytes written.</returns>
    public static int Escape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var written = 0;
        while (!source.IsEmpty)
        {
            // Runs of plain ASCII (nearly all of most messages) are copied whole.
            var plain = IndexOfNotPlain(source);
            if (plain < 0)
            {
                plain = source.Length;
            }

            source[..plain].CopyTo(destination[written..]);
            written += plain;
            source = source[plain..];
            if (source.IsEmpty)
            {
                break;
            }

            written += EscapeNext(source, destination[written..], out var consumed);
            source = source[consumed..];
        }

        return written;
    }

    /// <summary>
    /// Escapes the one byte or UTF-8 sequence <paramref name="source"/> starts with, which is not
    /// plain (see <see cref="IndexOfNotPlain"/>); <paramref name="consumed"/> says how many bytes it took.
    /// </summary>
    /// <returns>The number of bytes written (at most 6).</returns>
    internal static int EscapeNext(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed)
    {
        var b = source[0];
        if (b < 0x80)
        {
            consumed = 1;
            return EscapeAscii(b, destination);
        }

        if (Rune.DecodeFromUtf8(source, out _, out consumed) == System.Buffers.OperationStatus.Done)
        {
            source[..consumed].CopyTo(destination);
            return consumed;
        }

        "\\ufffd"u8.CopyTo(destination);
        return 6;
    }

    /// <summary>
    /// The first byte that is not plain, copied as it is (printable ASCII and DEL, but the quote and the backslash), or
    /// -1. A range and two bytes rather than SearchValues: its ASCII search shuffles bytes (SSSE3), which a Native AOT
    /// build for the x86-64 baseline runs as a slow software fallback on every message.
    /// </summary>
    internal static int IndexOfNotPlain(ReadOnlySpan<byte> source)
    {
        var outside = source.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7F);
        var quoteOrBackslash = (outside < 0 ? source : source[..outside]).IndexOfAny((byte)'"', (byte)'\\');
        return quoteOrBackslash >= 0 ? quoteOrBackslash : outside;
    }

    private static int EscapeAscii(byte b, Span<byte> destination)
    {
        destination[0] = (byte)'\\';
        byte? shortForm = b switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'\n' => (byte)'n',
            (byte)'\r' => (byte)'r',
            (byte)'\t' => (byte)'t',
            (byte)'\b' => (byte)'b',
            (byte)'\f' => (byte)'f',
            _ => null,
        };
        if (shortForm is { } c)
        {
            destination[1] = c;
            return 2;
        }

        "u00"u8.CopyTo(destination[1..]);
        destination[4] = Hex[b >> 4];
        destination[5] = Hex[b & 0xf];
        return 6;
    }
}
