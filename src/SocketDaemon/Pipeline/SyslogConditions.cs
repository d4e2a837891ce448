using System.Text;
using SocketDaemon.Syslog;

namespace SocketDaemon.Pipeline;

/// <summary>
/// The conditions of a step on the fields a <c>Parse</c> step found: <c>Severity</c> (that one or more urgent),
/// <c>Facility</c> (one or a comma-separated list), <c>AppName</c> (exact) and <c>Hostname</c> (ASCII case-insensitive).
/// Compared as bytes against the message, without decoding it.
/// </summary>
internal sealed class SyslogConditions
{
    private readonly int? _severity;
    private readonly uint _facilities;
    private readonly byte[]? _appName;
    private readonly byte[]? _hostname;

    private SyslogConditions(int? severity, uint facilities, byte[]? appName, byte[]? hostname)
    {
        _severity = severity;
        _facilities = facilities;
        _appName = appName;
        _hostname = hostname;
    }

    /// <summary>The conditions of <paramref name="step"/>; <see langword="null"/> when it sets none.</summary>
    /// <exception cref="ArgumentException">A severity or facility is not a keyword; the message names the key.</exception>
    public static SyslogConditions? Create(StepConditions step)
    {
        if (step.Severity is null && step.Facility is null && step.AppName is null && step.Hostname is null)
        {
            return null;
        }

        int? severity = null;
        if (step.Severity is not null)
        {
            severity = SyslogKeywords.TryParseSeverity(step.Severity, out var parsed)
                ? parsed
                : throw new ArgumentException($"Severity: '{step.Severity}' is not one of emerg, alert, crit, err, warning, notice, info, debug");
        }

        uint facilities = 0;
        if (step.Facility is not null)
        {
            foreach (var name in step.Facility.Split(',', StringSplitOptions.TrimEntries))
            {
                facilities |= SyslogKeywords.TryParseFacility(name, out var facility)
                    ? 1u << facility
                    : throw new ArgumentException($"Facility: '{name}' is not a facility (kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, security, console, solaris-cron, local0-local7)");
            }
        }

        return new SyslogConditions(
            severity,
            facilities,
            step.AppName is null ? null : Encoding.UTF8.GetBytes(step.AppName),
            step.Hostname is null ? null : Encoding.UTF8.GetBytes(step.Hostname));
    }

    public bool Matches(MessageContext context)
    {
        var fields = context.Fields;
        ref readonly var header = ref fields.Header;
        if (_severity is { } severity && !(header.Severity is { } s && s <= severity))
        {
            return false;
        }

        if (_facilities != 0 && !(header.Facility is { } f && (_facilities & (1u << f)) != 0))
        {
            return false;
        }

        if (_appName is not null && !(header.AppName.IsPresent && fields.Get(context.Payload, header.AppName).SequenceEqual(_appName)))
        {
            return false;
        }

        return _hostname is null || (header.Hostname.IsPresent && Ascii.EqualsIgnoreCase(fields.Get(context.Payload, header.Hostname), _hostname));
    }
}
