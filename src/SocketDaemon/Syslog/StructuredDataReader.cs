using System.Buffers;

namespace SocketDaemon.Syslog;

/// <summary>
/// Reads RFC 5424 STRUCTURED-DATA (<see href="https://www.rfc-editor.org/rfc/rfc5424#section-6.3"/>):
/// <c>[id name="value" ...][id2 ...]</c>. Values come as they are on the wire, with <c>\"</c>, <c>\\</c> and <c>\]</c>
/// escaped; <see cref="Unescape"/> undoes that.
/// </summary>
/// <example>
/// <code>
/// var reader = new StructuredDataReader(sd);
/// while (reader.NextElement(out var id))
///     while (reader.NextParam(out var name, out var value)) ...
/// </code>
/// </example>
public ref struct StructuredDataReader
{
    private const int MaxNameLength = 32;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private bool _inElement;

    /// <summary>Reads <paramref name="structuredData"/>, which <see cref="TrySkip"/> has accepted.</summary>
    public StructuredDataReader(ReadOnlySpan<byte> structuredData)
    {
        _data = structuredData;
    }

    /// <summary>Moves to the next element (past what is left of this one); <paramref name="id"/> is its SD-ID.</summary>
    public bool NextElement(out ReadOnlySpan<byte> id)
    {
        id = default;
        while (_inElement && NextParam(out _, out _))
        {
        }

        if (_position < _data.Length && _data[_position] == (byte)']')
        {
            _position++;
        }

        _inElement = false;
        if (_position >= _data.Length || _data[_position] != (byte)'[')
        {
            return false;
        }

        _position++;
        var start = _position;
        if (!TryName(_data, ref _position))
        {
            return false;
        }

        id = _data[start.._position];
        _inElement = true;
        return true;
    }

    /// <summary>Reads the element's next parameter; <paramref name="value"/> is still escaped.</summary>
    public bool NextParam(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = default;
        value = default;
        if (!_inElement || _position >= _data.Length || _data[_position] != (byte)' ')
        {
            _inElement = false;
            return false;
        }

        var position = _position + 1;
        var start = position;
        if (!TryName(_data, ref position) || position + 1 >= _data.Length || _data[position] != (byte)'=' || _data[position + 1] != (byte)'"')
        {
            _inElement = false;
            return false;
        }

        name = _data[start..position];
        position += 2;
        var valueStart = position;
        if (!TrySkipValue(_data, ref position))
        {
            _inElement = false;
            return false;
        }

        value = _data[valueStart..position];
        _position = position + 1;
        return true;
    }

    /// <summary>
    /// Moves <paramref name="position"/> past the STRUCTURED-DATA that starts there (one or more elements); false when
    /// the bytes there break the grammar.
    /// </summary>
    public static bool TrySkip(ReadOnlySpan<byte> message, ref int position)
    {
        var elements = 0;
        while (position < message.Length && message[position] == (byte)'[')
        {
            position++;
            if (!TryName(message, ref position))
            {
                return false;
            }

            while (position < message.Length && message[position] == (byte)' ')
            {
                position++;
                if (!TryName(message, ref position) || position + 1 >= message.Length
                    || message[position] != (byte)'=' || message[position + 1] != (byte)'"')
                {
                    return false;
                }

                position += 2;
                if (!TrySkipValue(message, ref position))
                {
                    return false;
                }

                position++;
            }

            if (position >= message.Length || message[position] != (byte)']')
            {
                return false;
            }

            position++;
            elements++;
        }

        return elements > 0;
    }

    /// <summary>
    /// Writes <paramref name="value"/> without its escapes into <paramref name="destination"/> (as long as the value at
    /// least): <c>\"</c>, <c>\\</c> and <c>\]</c> become the character; any other backslash stays, as RFC 5424 says.
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    public static int Unescape(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        var written = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b == (byte)'\\' && i + 1 < value.Length && value[i + 1] is (byte)'"' or (byte)'\\' or (byte)']')
            {
                b = value[++i];
            }

            destination[written++] = b;
        }

        return written;
    }

    // SD-NAME: 1*32 PRINTUSASCII except '=', SP, ']' and '"'.
    private static bool TryName(ReadOnlySpan<byte> data, ref int position)
    {
        var rest = data[position..];
        var length = rest[..Math.Min(rest.Length, MaxNameLength + 1)].IndexOfAnyExcept(NameBytes);
        if (length < 0)
        {
            length = Math.Min(rest.Length, MaxNameLength + 1);
        }

        position += length;
        return length is > 0 and <= MaxNameLength;
    }

    private static readonly SearchValues<byte> NameBytes = SearchValues.Create(
        [.. Enumerable.Range(33, 126 - 33 + 1).Where(c => c is not ('=' or ']' or '"')).Select(c => (byte)c)]);

    // Up to the closing quote, which is left at position; a backslash escapes the byte after it.
    private static bool TrySkipValue(ReadOnlySpan<byte> data, ref int position)
    {
        while (position < data.Length)
        {
            var next = data[position..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return false;
            }

            position += next;
            if (data[position] == (byte)'"')
            {
                return true;
            }

            position += 2;
        }

        return false;
    }
}
