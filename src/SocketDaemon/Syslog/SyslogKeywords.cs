namespace SocketDaemon.Syslog;

/// <summary>
/// The names of facilities and severities, as RFC 5424 section 6.2.1 numbers them and syslog.conf(5) spells them
/// (<see href="https://www.rfc-editor.org/rfc/rfc5424#section-6.2.1"/>).
/// </summary>
public static class SyslogKeywords
{
    private static readonly string[] FacilityNames =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5",
        "local6", "local7",
    ];

    private static readonly string[] SeverityNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    // The same names as UTF-8, written into JSON lines without encoding them each time.
    private static readonly byte[][] FacilityBytes = [.. FacilityNames.Select(System.Text.Encoding.UTF8.GetBytes)];
    private static readonly byte[][] SeverityBytes = [.. SeverityNames.Select(System.Text.Encoding.UTF8.GetBytes)];

    /// <summary>The number of facilities.</summary>
    public const int FacilityCount = 24;

    /// <summary>The number of severities.</summary>
    public const int SeverityCount = 8;

    /// <summary>The keyword of facility <paramref name="facility"/> (0-23).</summary>
    public static string Facility(int facility) => FacilityNames[facility];

    /// <summary>The keyword of severity <paramref name="severity"/> (0-7).</summary>
    public static string Severity(int severity) => SeverityNames[severity];

    /// <summary>The keyword of facility <paramref name="facility"/> (0-23) as UTF-8.</summary>
    public static ReadOnlySpan<byte> FacilityUtf8(int facility) => FacilityBytes[facility];

    /// <summary>The keyword of severity <paramref name="severity"/> (0-7) as UTF-8.</summary>
    public static ReadOnlySpan<byte> SeverityUtf8(int severity) => SeverityBytes[severity];

    /// <summary>
    /// The facility named <paramref name="name"/> (a keyword, case-insensitive, or its number); also <c>authpriv</c>'s
    /// old name <c>security</c> is its own facility 13 as RFC 5424 has it.
    /// </summary>
    public static bool TryParseFacility(string? name, out int facility)
    {
        facility = -1;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        name = name.Trim();
        if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out facility))
        {
            return facility < FacilityCount;
        }

        facility = Array.FindIndex(FacilityNames, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return facility >= 0;
    }

    /// <summary>
    /// The severity named <paramref name="name"/>: a keyword (case-insensitive), one of syslog.conf's aliases
    /// (<c>panic</c>, <c>error</c>, <c>warn</c>, <c>emergency</c>, <c>critical</c>), or its number.
    /// </summary>
    public static bool TryParseSeverity(string? name, out int severity)
    {
        severity = -1;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        name = name.Trim();
        if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out severity))
        {
            return severity < SeverityCount;
        }

        severity = name.ToLowerInvariant() switch
        {
            "panic" or "emergency" => 0,
            "critical" => 2,
            "error" => 3,
            "warn" => 4,
            "information" or "informational" => 6,
            var keyword => Array.IndexOf(SeverityNames, keyword),
        };
        return severity >= 0;
    }

    /// <summary>The severity whose keyword (or alias) is <paramref name="name"/>, as UTF-8 bytes; -1 if none.</summary>
    public static int SeverityOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < SeverityBytes.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, SeverityBytes[i]))
            {
                return i;
            }
        }

        return System.Text.Ascii.EqualsIgnoreCase(name, "error"u8) ? 3
            : System.Text.Ascii.EqualsIgnoreCase(name, "warn"u8) ? 4
            : System.Text.Ascii.EqualsIgnoreCase(name, "critical"u8) ? 2
            : -1;
    }

    /// <summary>The facility whose keyword is <paramref name="name"/>, as UTF-8 bytes; -1 if none.</summary>
    public static int FacilityOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < FacilityBytes.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, FacilityBytes[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
