using System.Globalization;
using SocketDaemon.Syslog;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// A <c>Log</c> step's <c>Path</c> that names message properties, as <c>apps/{AppName}.log</c> (rsyslog's dynafile,
/// syslog-ng's <c>file("/var/log/$HOST/messages")</c>): rendered for each message into a caller's buffer, each value
/// made safe by <see cref="LogPathValue"/>, so that resolving a message's file allocates nothing.
/// </summary>
public sealed class LogPathTemplate
{
    /// <summary>The longest a path segment may be on Linux, in bytes.</summary>
    public const int MaxSegmentLength = 255;

    private readonly Part[] _parts;

    private LogPathTemplate(string text, Part[] parts, int maxLength)
    {
        Text = text;
        _parts = parts;
        MaxLength = maxLength;
    }

    /// <summary>The template as configured.</summary>
    public string Text { get; }

    /// <summary>The most characters <see cref="Render"/> writes.</summary>
    public int MaxLength { get; }

    /// <summary>Whether <paramref name="path"/> names any property (has a <c>{</c> or <c>}</c>): such a path is a template.</summary>
    public static bool IsTemplate(string? path) => path is not null && path.AsSpan().IndexOfAny('{', '}') >= 0;

    /// <summary>
    /// Reads <paramref name="path"/>; <see langword="false"/> with the reason when a placeholder is unknown or not
    /// closed, or a path segment could be longer than <see cref="MaxSegmentLength"/>.
    /// </summary>
    public static bool TryParse(string path, out LogPathTemplate? template, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        template = null;
        var parts = new List<Part>();
        var maxLength = 0;
        var segment = 0;
        var rest = path.AsSpan();
        while (!rest.IsEmpty)
        {
            var brace = rest.IndexOfAny('{', '}');
            var literal = brace < 0 ? rest : rest[..brace];
            if (!literal.IsEmpty)
            {
                parts.Add(new Part(literal.ToString(), default));
                maxLength += literal.Length;
                var slash = literal.LastIndexOf('/');
                segment = slash < 0 ? segment + System.Text.Encoding.UTF8.GetByteCount(literal) : System.Text.Encoding.UTF8.GetByteCount(literal[(slash + 1)..]);
                if (slash >= 0 && literal[..slash].ToString().Split('/').Any(s => System.Text.Encoding.UTF8.GetByteCount(s) > MaxSegmentLength))
                {
                    error = $"'{path}' has a directory name longer than {MaxSegmentLength} bytes";
                    return false;
                }
            }

            if (brace < 0)
            {
                break;
            }

            rest = rest[brace..];
            var close = rest.IndexOf('}');
            if (rest[0] == '}' || close < 0)
            {
                error = $"'{path}' has a '{rest[0]}' that is not part of a placeholder such as {{AppName}}";
                return false;
            }

            var name = rest[1..close].ToString();
            var names = Enum.GetNames<LogPathField>();
            var index = Array.FindIndex(names, n => name.Equals(n, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                error = $"'{{{name}}}' is not a property a path can name (one of {string.Join(", ", names.Select(n => "{" + n + "}"))})";
                return false;
            }

            var field = Enum.GetValues<LogPathField>()[index];
            parts.Add(new Part(null, field));
            maxLength += MaxLengthOf(field);
            segment += MaxLengthOf(field);
            rest = rest[(close + 1)..];
            if (segment > MaxSegmentLength)
            {
                error = $"'{path}' could make a file or directory name longer than {MaxSegmentLength} bytes (AppName, Hostname, Listener and Comm take up to {LogPathValue.MaxLength} each)";
                return false;
            }
        }

        if (segment > MaxSegmentLength)
        {
            error = $"'{path}' has a file name longer than {MaxSegmentLength} bytes";
            return false;
        }

        template = new LogPathTemplate(path, [.. parts], maxLength);
        error = null;
        return true;
    }

    /// <summary>
    /// The path with every placeholder replaced by <paramref name="value"/>: what the validator checks against the log
    /// directory, since values cannot hold a <c>/</c>.
    /// </summary>
    public string Sample(string value = "x") =>
        string.Concat(_parts.Select(p => p.Literal ?? value));

    /// <summary>Writes the path of <paramref name="context"/>'s message into <paramref name="destination"/> (at least <see cref="MaxLength"/> long); returns its length.</summary>
    public int Render(MessageContext context, Span<char> destination)
    {
        var written = 0;
        foreach (var part in _parts)
        {
            if (part.Literal is { } literal)
            {
                literal.CopyTo(destination[written..]);
                written += literal.Length;
            }
            else
            {
                written += WriteField(part.Field, context, destination[written..]);
            }
        }

        return written;
    }

    // Keywords and numbers are short: a file name may hold several of them beside a 64-character value.
    private static int MaxLengthOf(LogPathField field) => field switch
    {
        LogPathField.Facility => 12,
        LogPathField.Severity => 7,
        LogPathField.Uid => 10,
        _ => LogPathValue.MaxLength,
    };

    private static int WriteField(LogPathField field, MessageContext context, Span<char> destination)
    {
        switch (field)
        {
            case LogPathField.AppName:
            case LogPathField.Hostname:
                var fields = context.Fields;
                var range = field == LogPathField.AppName ? fields.Header.AppName : fields.Header.Hostname;
                return LogPathValue.Write(range.IsPresent ? fields.Get(context.Payload, range) : default, destination);
            case LogPathField.Facility:
                return LogPathValue.Write(context.Fields.Facility is { } facility ? SyslogKeywords.Facility(facility) : default, destination);
            case LogPathField.Severity:
                return LogPathValue.Write(context.Fields.Severity is { } severity ? SyslogKeywords.Severity(severity) : default, destination);
            case LogPathField.Listener:
                return LogPathValue.Write(context.Listener.AsSpan(), destination);
            case LogPathField.Uid:
                return context.Peer.UserId is { } uid && uid.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture)
                    ? written
                    : LogPathValue.Write(ReadOnlySpan<char>.Empty, destination);
            default:
                return LogPathValue.Write(context.Peer.ProcessName.AsSpan(), destination);
        }
    }

    private readonly record struct Part(string? Literal, LogPathField Field);
}
