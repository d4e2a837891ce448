using System.Text;
using System.Text.Json;

namespace SocketDaemon.PostgresOutput;

/// <summary>
/// Message bytes as PostgreSQL <c>text</c>, which holds valid UTF-8 without NUL: invalid sequences and NUL become
/// U+FFFD, and the caller learns whether the text is the bytes exactly (else the row keeps them in <c>raw</c>).
/// </summary>
public static class PostgresText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The text of <paramref name="bytes"/>; <paramref name="exact"/> is false when something was replaced.</summary>
    public static string FromUtf8(ReadOnlySpan<byte> bytes, out bool exact)
    {
        exact = System.Text.Unicode.Utf8.IsValid(bytes) && !bytes.Contains((byte)0);
        if (exact)
        {
            return Strict.GetString(bytes);
        }

        return Encoding.UTF8.GetString(bytes).Replace('\0', '\uFFFD');
    }

    /// <summary>The string a JSON message's field holds (its contents between the quotes, escapes included), NUL replaced.</summary>
    public static string? FromJsonString(ReadOnlySpan<byte> contents)
    {
        var quoted = new byte[contents.Length + 2];
        quoted[0] = (byte)'"';
        contents.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        try
        {
            var reader = new Utf8JsonReader(quoted);
            reader.Read();
            return reader.GetString()?.Replace('\0', '\uFFFD');
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return FromUtf8(contents, out _);
        }
    }
}
