using System.Globalization;
using System.Text;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Nats;

/// <summary>
/// A subject with placeholders filled from each message: <c>logs.{Host}.{Listener}</c>. A value becomes one subject
/// token: characters a token may not hold (<c>.</c>, <c>*</c>, <c>&gt;</c>, white space) become <c>_</c>.
/// </summary>
internal sealed class NatsSubjectTemplate
{
    /// <summary>The placeholders a template may use.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["Host", "Listener", "Framing", "Comm", "Uid", "Pid"];

    private readonly List<(string? Literal, string? Placeholder)> _parts;
    private readonly string _host;

    private NatsSubjectTemplate(string template, List<(string?, string?)> parts, string host)
    {
        Template = template;
        _parts = parts;
        _host = Token(host);
    }

    public string Template { get; }

    /// <summary>The subjects a stream must hold to store what the template makes: its literal prefix, then <c>&gt;</c>.</summary>
    public string StreamSubject
    {
        get
        {
            var brace = Template.IndexOf('{', StringComparison.Ordinal);
            if (brace < 0)
            {
                return Template;
            }

            var dot = Template.LastIndexOf('.', brace);
            return dot < 0 ? ">" : Template[..(dot + 1)] + ">";
        }
    }

    /// <summary>Parses <paramref name="template"/>; <paramref name="error"/> says what is wrong with it.</summary>
    public static bool TryParse(string template, string host, out NatsSubjectTemplate? parsed, out string? error)
    {
        parsed = null;
        var parts = new List<(string?, string?)>();
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            if (open < 0)
            {
                parts.Add((template[position..], null));
                break;
            }

            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                error = $"'{template}' has a '{{' without its '}}'";
                return false;
            }

            if (open > position)
            {
                parts.Add((template[position..open], null));
            }

            var name = template[(open + 1)..close];
            var known = Placeholders.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                error = $"'{{{name}}}' is not a placeholder; known ones are {string.Join(", ", Placeholders.Select(p => "{" + p + "}"))}";
                return false;
            }

            parts.Add((null, known));
            position = close + 1;
        }

        if (template.Length == 0 || template.Contains(' ', StringComparison.Ordinal) || template.StartsWith('.') || template.EndsWith('.') || template.Contains("..", StringComparison.Ordinal))
        {
            error = $"'{template}' is not a NATS subject (dot-separated tokens, none empty, no spaces)";
            return false;
        }

        parsed = new NatsSubjectTemplate(template, parts, host);
        error = null;
        return true;
    }

    /// <summary>The subject of <paramref name="context"/>'s message.</summary>
    public string Render(MessageContext context)
    {
        if (_parts.Count == 1 && _parts[0].Literal is { } only)
        {
            return only;
        }

        var subject = new StringBuilder(Template.Length + 16);
        foreach (var (literal, placeholder) in _parts)
        {
            subject.Append(literal ?? Value(placeholder!, context));
        }

        return subject.ToString();
    }

    private string Value(string placeholder, MessageContext context) => placeholder switch
    {
        "Host" => _host,
        "Listener" => Token(context.Listener),
        "Framing" => Token(context.Framing.ToString().ToLowerInvariant()),
        "Comm" => Token(context.Peer.ProcessName),
        "Uid" => Token(context.Peer.UserId?.ToString(CultureInfo.InvariantCulture)),
        _ => Token(context.Peer.ProcessId?.ToString(CultureInfo.InvariantCulture)),
    };

    /// <summary>A value as one subject token: never empty, no separators or wildcards.</summary>
    internal static string Token(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "_";
        }

        return string.Create(value.Length, value, static (span, v) =>
        {
            for (var i = 0; i < v.Length; i++)
            {
                var c = v[i];
                span[i] = c is '.' or '*' or '>' || char.IsWhiteSpace(c) || char.IsControl(c) ? '_' : c;
            }
        });
    }
}
