using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SocketDaemon.Logging;

/// <summary>
/// Writes one log entry as an RFC 5424 message straight into UTF-8 bytes, the same text <see cref="Rfc5424Writer"/>
/// makes as a string, with no string in between: the entry is formatted on the caller's thread, where every
/// allocation and copy is paid by the application's logging call.
/// </summary>
/// <remarks>
/// One writer per thread, rented for an entry and given back: its buffer grows to the largest entry (up to
/// <see cref="MaxKeptBytes"/>) and is reused. The entry is written after a four-byte length slot, so that the queue
/// takes it as the native protocol frames a message, with one copy.
/// </remarks>
internal sealed class Rfc5424Utf8Writer
{
    /// <summary>A writer whose buffer grew past this (an entry with a huge exception, say) is not kept for the next entry.</summary>
    public const int MaxKeptBytes = 64 * 1024;

    private const int MaxNameLength = 32;

    // RFC 5424 6.3.3: '"', '\' and ']' are escaped in a PARAM-VALUE.
    private static readonly SearchValues<char> EscapedChars = SearchValues.Create("\"\\]");
    private static readonly SearchValues<byte> EscapedBytes = SearchValues.Create("\"\\]"u8);

    [ThreadStatic]
    private static Rfc5424Utf8Writer? t_cached;

    private byte[] _buffer = new byte[1024];
    private int _length;

    // The timestamp up to its seconds ("2026-12-03T04:32:46."), written again only when the second changes.
    private readonly byte[] _second = new byte[20];
    private long _secondTicks = -1;

    /// <summary>The scopes of the entry being written, gathered once and read twice (their values, then their text).</summary>
    public List<object?> Scopes { get; } = [];

    /// <summary>The entry written so far, without its length slot.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(sizeof(int), _length - sizeof(int));

    /// <summary>The entry with its length filled in: <c>u32 length</c> (big-endian), then the message.</summary>
    public ReadOnlySpan<byte> Framed
    {
        get
        {
            BinaryPrimitives.WriteInt32BigEndian(_buffer, _length - sizeof(int));
            return _buffer.AsSpan(0, _length);
        }
    }

    /// <summary>This thread's writer, empty; a new one if this thread's is in use (a formatter that logs, say).</summary>
    public static Rfc5424Utf8Writer Rent()
    {
        var writer = t_cached ?? new Rfc5424Utf8Writer();
        t_cached = null;
        writer._length = sizeof(int);
        writer.Scopes.Clear();
        return writer;
    }

    /// <summary>Gives the writer back to this thread for its next entry.</summary>
    public void Return()
    {
        if (_buffer.Length <= MaxKeptBytes)
        {
            Scopes.Clear();
            t_cached = this;
        }
    }

    /// <summary>Writes bytes as they are: the parts of the header that the provider encodes once.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>Writes the TIMESTAMP, UTC with six digits of fraction (RFC 5424 allows no more).</summary>
    public void WriteTimestamp(DateTime utc)
    {
        var second = utc.Ticks / TimeSpan.TicksPerSecond;
        if (second != _secondTicks)
        {
            utc.TryFormat(_second, out _, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'", CultureInfo.InvariantCulture);
            _secondTicks = second;
        }

        var span = GetSpan(27);
        _second.CopyTo(span);
        var fraction = (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10);
        for (var i = 25; i >= 20; i--)
        {
            span[i] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }

        span[26] = (byte)'Z';
        _length += 27;
    }

    /// <summary>Writes a header field (HOSTNAME, APP-NAME, MSGID): printable US-ASCII without spaces, else '_'; '-' when empty.</summary>
    public void WriteHeaderField(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            Write("-"u8);
            return;
        }

        var length = Math.Min(value.Length, maxLength);
        var span = GetSpan(length);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            span[i] = c is > ' ' and < (char)127 ? (byte)c : (byte)'_';
        }

        _length += length;
    }

    /// <summary>Writes <c> name="value"</c> into the open element; the value as <see cref="Convert.ToString(object, IFormatProvider)"/> makes it.</summary>
    public void WriteParam(string name, object? value)
    {
        WriteParamName(name);
        switch (value)
        {
            case string text:
                WriteEscaped(text);
                break;
            case IUtf8SpanFormattable formattable when TryWriteFormatted(formattable):
                break;
            default:
                WriteEscaped(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }

        Write("\""u8);
    }

    /// <summary>Writes <c> name="</c>: the name cut to 32 printable US-ASCII characters without '=', ']', '"' (others become '_').</summary>
    public void WriteParamName(string name)
    {
        var length = Math.Min(name.Length, MaxNameLength);
        var span = GetSpan(length + 3);
        span[0] = (byte)' ';
        for (var i = 0; i < length; i++)
        {
            var c = name[i];
            span[i + 1] = c is > ' ' and < (char)127 and not '=' and not ']' and not '"' ? (byte)c : (byte)'_';
        }

        span[length + 1] = (byte)'=';
        span[length + 2] = (byte)'"';
        _length += length + 3;
    }

    /// <summary>Writes a PARAM-VALUE's text with '"', '\' and ']' escaped.</summary>
    public void WriteEscaped(ReadOnlySpan<char> value)
    {
        while (true)
        {
            var next = value.IndexOfAny(EscapedChars);
            WriteText(next < 0 ? value : value[..next]);
            if (next < 0)
            {
                return;
            }

            var span = GetSpan(2);
            span[0] = (byte)'\\';
            span[1] = (byte)value[next];
            _length += 2;
            value = value[(next + 1)..];
        }
    }

    /// <summary>Writes text as UTF-8, as it is.</summary>
    public void WriteText(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var span = GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, span);
    }

    /// <summary>Writes an integer in decimal.</summary>
    public void WriteInt32(int value)
    {
        value.TryFormat(GetSpan(11), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
    }

    // Numbers, dates and the like format into the buffer as they are; the rare text with a character to escape
    // (a custom type's) is formatted again as a string and escaped.
    private bool TryWriteFormatted(IUtf8SpanFormattable value)
    {
        for (var size = 64; size <= 4096; size *= 4)
        {
            if (value.TryFormat(GetSpan(size), out var written, default, CultureInfo.InvariantCulture))
            {
                if (_buffer.AsSpan(_length, written).ContainsAny(EscapedBytes))
                {
                    return false;
                }

                _length += written;
                return true;
            }
        }

        return false;
    }

    private Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - _length < size)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + size));
        }

        return _buffer.AsSpan(_length);
    }
}
