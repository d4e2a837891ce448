using System.Text;

namespace SocketDaemon.Logging;

/// <summary>
/// Writes one log entry as an RFC 5424 syslog message, <c>&lt;PRI&gt;1 TIMESTAMP HOST APP PROCID MSGID [meta@32473 ...] text</c>,
/// so that a syslog parser puts level, category, event id, scopes and properties in fields of their own.
/// Shared (as source) by the logging provider and the Serilog sink.
/// </summary>
internal sealed class Rfc5424Writer
{
    /// <summary>The SD-ID of the element that carries the entry's fields (32473 is the enterprise number RFC 5612 reserves for examples and documentation).</summary>
    public const string ElementId = "meta@32473";

    private const int MaxNameLength = 32;

    // One builder per thread: the entry is formatted on the caller's thread, and a logging call must not allocate more than its string.
    [ThreadStatic]
    private static StringBuilder? t_builder;

    private readonly StringBuilder _text;
    private bool _elementOpen;

    private Rfc5424Writer(StringBuilder text) => _text = text;

    /// <summary>Begins a message: the header up to and including MSGID.</summary>
    public static Rfc5424Writer Begin(int facility, int severity, DateTimeOffset timestamp, string host, string app, int processId, string? messageId)
    {
        var text = t_builder ?? new StringBuilder(256);
        t_builder = null;
        text.Clear();
        text.Append('<').Append((facility * 8) + severity).Append(">1 ");
        AppendTimestamp(text, timestamp.UtcDateTime).Append(' ');
        AppendHeaderField(text, host, 255).Append(' ');
        AppendHeaderField(text, app, 48).Append(' ');
        text.Append(processId).Append(' ');
        AppendHeaderField(text, messageId, MaxNameLength);
        return new Rfc5424Writer(text);
    }

    /// <summary>Adds a parameter to the <see cref="ElementId"/> element; a null value is left out.</summary>
    public Rfc5424Writer Param(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        _text.Append(_elementOpen ? " " : " [" + ElementId + " ");
        _elementOpen = true;
        AppendName(name);
        _text.Append("=\"");
        foreach (var c in value)
        {
            // RFC 5424 6.3.3: '"', '\' and ']' are escaped in a PARAM-VALUE.
            if (c is '"' or '\\' or ']')
            {
                _text.Append('\\');
            }

            _text.Append(c);
        }

        _text.Append('"');
        return this;
    }

    /// <summary>Ends the message with its text and, on lines of their own, the exception.</summary>
    public string End(string? message, string? exception)
    {
        _text.Append(_elementOpen ? "] " : " - ");
        _text.Append(message);
        if (!string.IsNullOrEmpty(exception))
        {
            _text.Append('\n').Append(exception);
        }

        var result = _text.ToString();
        if (_text.Capacity <= 16 * 1024)
        {
            t_builder = _text;
        }

        return result;
    }

    /// <summary>The syslog severity of a level name's position: 0 trace ... 5 critical, 6 none.</summary>
    public static int Severity(int level) => level switch
    {
        0 or 1 => 7, // trace, debug
        2 => 6,      // information
        3 => 4,      // warning
        4 => 3,      // error
        _ => 2,      // critical
    };

    // RFC 5424 allows at most six digits of fraction; written digit by digit, a custom format string costs more than the rest of the entry.
    private static StringBuilder AppendTimestamp(StringBuilder text, DateTime utc)
    {
        Span<char> chars = stackalloc char[27];
        Write(chars, 0, utc.Year, 4);
        chars[4] = '-';
        Write(chars, 5, utc.Month, 2);
        chars[7] = '-';
        Write(chars, 8, utc.Day, 2);
        chars[10] = 'T';
        Write(chars, 11, utc.Hour, 2);
        chars[13] = ':';
        Write(chars, 14, utc.Minute, 2);
        chars[16] = ':';
        Write(chars, 17, utc.Second, 2);
        chars[19] = '.';
        Write(chars, 20, (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10), 6);
        chars[26] = 'Z';
        return text.Append(chars);

        static void Write(Span<char> chars, int at, int value, int digits)
        {
            for (var i = at + digits - 1; i >= at; i--)
            {
                chars[i] = (char)('0' + (value % 10));
                value /= 10;
            }
        }
    }

    private static StringBuilder AppendHeaderField(StringBuilder text, string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return text.Append('-');
        }

        // Header fields are printable US-ASCII without spaces (RFC 5424 6): anything else becomes '_'.
        var length = Math.Min(value.Length, maxLength);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            text.Append(c is > ' ' and < (char)127 ? c : '_');
        }

        return text;
    }

    private void AppendName(string name)
    {
        var length = Math.Min(name.Length, MaxNameLength);
        for (var i = 0; i < length; i++)
        {
            var c = name[i];
            _text.Append(c is > ' ' and < (char)127 and not '=' and not ']' and not '"' ? c : '_');
        }
    }
}
