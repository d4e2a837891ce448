using System.Buffers;
using System.Text;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// How message bytes are written into a text log so that no message can forge a line: a reversible escape that
/// leaves printable ASCII and valid, non-control UTF-8 as they are.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>\</c> becomes <c>\\</c>; newline, carriage return and tab become <c>\n</c>, <c>\r</c>, <c>\t</c>.</item>
/// <item>Every other C0 control byte, DEL, the UTF-8 bytes of a C1 control (U+0080-U+009F, which terminals may read
/// as escape sequences) and every byte that is not part of valid UTF-8 become <c>\xNN</c> (lowercase hex), byte by byte.</item>
/// </list>
/// Every backslash in the output starts one of these escapes, so <see cref="Unescape"/> gives back the exact bytes.
/// </remarks>
public static class LogEscaping
{
    /// <summary>The most bytes <paramref name="length"/> message bytes can become: <c>\xNN</c> for each.</summary>
    public static int MaxEscapedLength(int length) => checked(length * 4);

    /// <summary>Escapes <paramref name="source"/> into <paramref name="destination"/>, which must hold <see cref="MaxEscapedLength"/> bytes.</summary>
    /// <returns>The number of bytes written.</returns>
    public static int Escape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var written = 0;
        while (!source.IsEmpty)
        {
            var plain = IndexOfSpecial(source);
            if (plain < 0)
            {
                source.CopyTo(destination[written..]);
                return written + source.Length;
            }

            source[..plain].CopyTo(destination[written..]);
            written += plain;
            source = source[plain..];
            var b = source[0];
            if (b >= 0x80 && Rune.DecodeFromUtf8(source, out var rune, out var consumed) == OperationStatus.Done && rune.Value > 0x9F)
            {
                source[..consumed].CopyTo(destination[written..]);
                written += consumed;
                source = source[consumed..];
                continue;
            }

            written += EscapeByte(b, destination[written..]);
            source = source[1..];
        }

        return written;
    }

    /// <summary>The bytes that <paramref name="escaped"/> stands for; the inverse of <see cref="Escape"/>.</summary>
    /// <exception cref="FormatException">A backslash starts no escape of this scheme.</exception>
    public static byte[] Unescape(ReadOnlySpan<byte> escaped)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(1, escaped.Length));
        while (!escaped.IsEmpty)
        {
            var backslash = escaped.IndexOf((byte)'\\');
            if (backslash < 0)
            {
                output.Write(escaped);
                break;
            }

            output.Write(escaped[..backslash]);
            escaped = escaped[backslash..];
            if (escaped.Length < 2)
            {
                throw new FormatException("a backslash ends the text");
            }

            byte value;
            var length = 2;
            switch (escaped[1])
            {
                case (byte)'\\': value = (byte)'\\'; break;
                case (byte)'n': value = (byte)'\n'; break;
                case (byte)'r': value = (byte)'\r'; break;
                case (byte)'t': value = (byte)'\t'; break;
                case (byte)'x' when escaped.Length >= 4 && IsHex(escaped[2]) && IsHex(escaped[3]):
                    value = (byte)((HexValue(escaped[2]) << 4) | HexValue(escaped[3]));
                    length = 4;
                    break;
                default: throw new FormatException($"'\\{(char)escaped[1]}' is not an escape");
            }

            output.Write([value]);
            escaped = escaped[length..];
        }

        return output.WrittenSpan.ToArray();
    }

    private static int EscapeByte(byte b, Span<byte> destination)
    {
        destination[0] = (byte)'\\';
        switch (b)
        {
            case (byte)'\\': destination[1] = (byte)'\\'; return 2;
            case (byte)'\n': destination[1] = (byte)'n'; return 2;
            case (byte)'\r': destination[1] = (byte)'r'; return 2;
            case (byte)'\t': destination[1] = (byte)'t'; return 2;
            default:
                destination[1] = (byte)'x';
                destination[2] = (byte)"0123456789abcdef"[b >> 4];
                destination[3] = (byte)"0123456789abcdef"[b & 0xF];
                return 4;
        }
    }

    // The first byte the fast path cannot copy as it is: a control, the backslash, DEL or anything non-ASCII (checked
    // as UTF-8). A range and one byte rather than SearchValues: its ASCII search shuffles bytes (SSSE3), which a
    // Native AOT build for the x86-64 baseline runs as a slow software fallback on every message.
    private static int IndexOfSpecial(ReadOnlySpan<byte> source)
    {
        var outside = source.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        var backslash = (outside < 0 ? source : source[..outside]).IndexOf((byte)'\\');
        return backslash >= 0 ? backslash : outside;
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
