using System.Globalization;

namespace SocketDaemon.Cli.Internal;

/// <summary>
/// The RFC 5424 header <c>socketctl send -t TAG -p facility.severity</c> puts in front of each message, as
/// <c>logger --rfc5424</c> does: <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME TAG PID - - MSG</c>.
/// </summary>
internal sealed class SyslogHeader(int priority, string tag, string hostname, int processId)
{
    private static readonly string[] Facilities =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    private static readonly string[] Severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    /// <summary>The priority value, facility × 8 + severity.</summary>
    public int Priority { get; } = priority;

    /// <summary>
    /// The header for <paramref name="tag"/> (default: the user's name) and <paramref name="priority"/> (default
    /// <c>user.notice</c>, as logger's).
    /// </summary>
    /// <exception cref="FormatException">The priority is not <c>facility.severity</c> with known names or numbers.</exception>
    public static SyslogHeader Create(string? tag, string? priority) => new(
        ParsePriority(priority ?? "user.notice"),
        SanitizeToken(string.IsNullOrEmpty(tag) ? Environment.UserName : tag, 48),
        SanitizeToken(Environment.MachineName, 255),
        Environment.ProcessId);

    /// <summary>The message with the header, the timestamp <paramref name="now"/>.</summary>
    public string Format(string message, DateTimeOffset now) => string.Create(
        CultureInfo.InvariantCulture,
        $"<{Priority}>1 {now:yyyy-MM-ddTHH:mm:ss.ffffffzzz} {hostname} {tag} {processId} - - {message}");

    /// <summary>
    /// <c>facility.severity</c> (names as logger(1) takes them: <c>auth.warning</c>, <c>local3.err</c>, also <c>warn</c>,
    /// <c>error</c>, <c>panic</c>; or numbers), or a severity alone (facility <c>user</c>).
    /// </summary>
    /// <exception cref="FormatException">An unknown name.</exception>
    public static int ParsePriority(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var facility = dot < 0 ? 1 : Lookup(text[..dot], Facilities, "facility");
        var severity = Lookup(dot < 0 ? text : text[(dot + 1)..], Severities, "severity");
        return (facility * 8) + severity;
    }

    private static int Lookup(string name, string[] names, string what)
    {
        var key = name.ToLowerInvariant() switch
        {
            "warn" => "warning",
            "error" => "err",
            "panic" => "emerg",
            var other => other,
        };
        var index = Array.IndexOf(names, key);
        if (index >= 0)
        {
            return index;
        }

        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number < names.Length)
        {
            return number;
        }

        throw new FormatException($"'{name}' is not a syslog {what}; expected one of {string.Join(", ", names)}");
    }

    // RFC 5424 header fields are printable US-ASCII without spaces, at most so long; "-" stands for none.
    private static string SanitizeToken(string value, int maxLength)
    {
        var chars = value.Where(c => c is > ' ' and < (char)127).Take(maxLength).ToArray();
        return chars.Length == 0 ? "-" : new string(chars);
    }
}
