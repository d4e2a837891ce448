using System.Buffers;
using System.Text;

namespace SocketDaemon.Cli.Internal;

/// <summary>
/// Makes message text safe for a terminal with exactly the escapes the message log uses
/// (<c>SocketDaemon.Pipeline.MessageLog.LogEscaping</c>), so that <c>socketctl tail</c> prints what the log file
/// holds and no message can move the cursor, clear the screen or forge a line.
/// </summary>
/// <remarks>
/// A copy of the daemon's rules rather than a link to its file: socketctl is its own Native AOT program and does not
/// reference the daemon. TerminalEscapingTests checks both give the same bytes for any input.
/// </remarks>
internal static class TerminalEscaping
{
    /// <summary>
    /// <c>\</c> as <c>\\</c>; newline, carriage return and tab as <c>\n</c>, <c>\r</c>, <c>\t</c>; every other C0
    /// control, DEL, a C1 control (U+0080-U+009F) and every byte of invalid UTF-8 as <c>\xNN</c>.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!NeedsEscaping(text))
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        return Encoding.UTF8.GetString(Escape(bytes));
    }

    /// <summary>The escaped form of <paramref name="source"/>, as UTF-8.</summary>
    public static byte[] Escape(ReadOnlySpan<byte> source)
    {
        var output = new ArrayBufferWriter<byte>(source.Length + 16);
        while (!source.IsEmpty)
        {
            var b = source[0];
            if (b >= 0x80 && Rune.DecodeFromUtf8(source, out var rune, out var consumed) == OperationStatus.Done && rune.Value > 0x9F)
            {
                output.Write(source[..consumed]);
                source = source[consumed..];
                continue;
            }

            switch (b)
            {
                case (byte)'\\': output.Write("\\\\"u8); break;
                case (byte)'\n': output.Write("\\n"u8); break;
                case (byte)'\r': output.Write("\\r"u8); break;
                case (byte)'\t': output.Write("\\t"u8); break;
                case < 0x20 or >= 0x7F:
                    output.Write([(byte)'\\', (byte)'x', (byte)"0123456789abcdef"[b >> 4], (byte)"0123456789abcdef"[b & 0xF]]);
                    break;
                default:
                    output.Write([b]);
                    break;
            }

            source = source[1..];
        }

        return output.WrittenSpan.ToArray();
    }

    // Most messages are printable ASCII or ordinary text: those are printed as they are, without a copy.
    private static bool NeedsEscaping(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 || c == '\\' || (c >= 0x7F && c <= 0x9F) || char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }
}
