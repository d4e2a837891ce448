using System.Buffers;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// Turns a message property (bytes from the wire, or a name the kernel gave) into a part of a file name that cannot
/// leave its directory: every byte or character but ASCII letters, digits, <c>-</c>, <c>_</c>, <c>+</c>, <c>@</c> and
/// <c>.</c> becomes <c>_</c> (so <c>/</c>, <c>\</c>, control bytes, NUL, spaces and non-ASCII do), a leading <c>.</c>
/// becomes <c>_</c> (no <c>.</c>, <c>..</c> or hidden files), the value is cut at <see cref="MaxLength"/>, and an
/// absent or empty value is <see cref="Unknown"/>. The rule is <c>docs/outputs.md</c>'s, "Files by field".
/// </summary>
public static class LogPathValue
{
    /// <summary>The most characters one value takes in a path.</summary>
    public const int MaxLength = 64;

    /// <summary>What a placeholder whose value is absent or empty becomes.</summary>
    public const string Unknown = "unknown";

    /// <summary>What replaces each character that may not be in a file name.</summary>
    public const char Replacement = '_';

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+@.");

    /// <summary>Writes <paramref name="value"/> (UTF-8 or any bytes) made safe into <paramref name="destination"/>; returns the characters written.</summary>
    public static int Write(ReadOnlySpan<byte> value, Span<char> destination)
    {
        if (value.IsEmpty)
        {
            return WriteUnknown(destination);
        }

        var length = Math.Min(value.Length, MaxLength);
        for (var i = 0; i < length; i++)
        {
            var b = value[i];
            destination[i] = b < 0x80 && Allowed.Contains((char)b) ? (char)b : Replacement;
        }

        if (destination[0] == '.')
        {
            destination[0] = Replacement;
        }

        return length;
    }

    /// <summary>Writes <paramref name="value"/> made safe into <paramref name="destination"/>; returns the characters written.</summary>
    public static int Write(ReadOnlySpan<char> value, Span<char> destination)
    {
        if (value.IsEmpty)
        {
            return WriteUnknown(destination);
        }

        var length = Math.Min(value.Length, MaxLength);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            destination[i] = Allowed.Contains(c) ? c : Replacement;
        }

        if (destination[0] == '.')
        {
            destination[0] = Replacement;
        }

        return length;
    }

    private static int WriteUnknown(Span<char> destination)
    {
        Unknown.CopyTo(destination);
        return Unknown.Length;
    }
}
