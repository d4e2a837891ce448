namespace SocketDaemon.SyslogOutput;

/// <summary>The RFC 5424 facility and severity keywords, for the <c>DefaultFacility</c> and <c>DefaultSeverity</c> settings.</summary>
internal static class SyslogCodes
{
    private static readonly string[] Facilities =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    private static readonly string[] Severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    public static int? Facility(string? keyword) => Find(Facilities, keyword);

    public static int? Severity(string? keyword) => Find(Severities, keyword);

    private static int? Find(string[] names, string? keyword)
    {
        var index = Array.FindIndex(names, n => string.Equals(n, keyword, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? null : index;
    }
}
