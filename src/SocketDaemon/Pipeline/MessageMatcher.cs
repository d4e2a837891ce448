using System.Net;
using System.Text.RegularExpressions;

namespace SocketDaemon.Pipeline;

/// <summary>
/// The match conditions of a pipeline step (listener, peer uid, pid, comm or address, a regular expression on the
/// text, and the syslog fields a <c>Parse</c> step found: severity, facility, app name, host name): a message matches
/// when it meets every condition given. A message without the field (not parsed, or no PRI) meets no condition on it.
/// </summary>
public sealed class MessageMatcher
{
    // A pattern from configuration runs on every message: bound it, so a pathological one cannot stall ingestion.
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly StepConditions _step;
    private readonly IPAddress? _address;
    private readonly Regex? _regex;
    private readonly SyslogConditions? _syslog;

    private MessageMatcher(StepConditions step, IPAddress? address, Regex? regex, SyslogConditions? syslog)
    {
        _step = step;
        _address = address;
        _regex = regex;
        _syslog = syslog;
    }

    /// <summary>Whether the step sets any condition at all.</summary>
    public bool HasConditions => _step.Listener is not null || _step.Uid is not null || _step.Pid is not null
        || _step.Comm is not null || _address is not null || _regex is not null || _syslog is not null;

    /// <summary>Compiles the conditions of <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentException">A condition is invalid; the message names the key below the step.</exception>
    public static MessageMatcher Create(StepConditions step)
    {
        ArgumentNullException.ThrowIfNull(step);
        IPAddress? address = null;
        if (step.Address is not null && !IPAddress.TryParse(step.Address, out address))
        {
            throw new ArgumentException($"Address: '{step.Address}' is not an IP address");
        }

        Regex? regex = null;
        if (step.Match is not null)
        {
            try
            {
                regex = new Regex(step.Match, RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Match: '{step.Match}' is not a valid regular expression: {ex.Message}", ex);
            }
        }

        return new MessageMatcher(step, address, regex, SyslogConditions.Create(step));
    }

    /// <summary>Whether <paramref name="context"/> meets every condition.</summary>
    public bool Matches(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var peer = context.Peer;
        return (_step.Listener is null || string.Equals(_step.Listener, context.Listener, StringComparison.OrdinalIgnoreCase))
            && (_step.Uid is null || peer.UserId == _step.Uid)
            && (_step.Pid is null || peer.ProcessId == _step.Pid)
            && (_step.Comm is null || string.Equals(_step.Comm, peer.ProcessName, StringComparison.Ordinal))
            && (_address is null || (peer.RemoteEndPoint is IPEndPoint ip && Normalize(ip.Address).Equals(Normalize(_address))))
            && (_syslog is null || _syslog.Matches(context))
            && (_regex is null || IsMatch(context.Text));
    }

    private bool IsMatch(string text)
    {
        try
        {
            return _regex!.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
