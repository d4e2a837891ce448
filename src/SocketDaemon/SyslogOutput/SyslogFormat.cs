namespace SocketDaemon.SyslogOutput;

/// <summary>How a <c>Syslog</c> step writes each message.</summary>
public enum SyslogFormat
{
    /// <summary>RFC 5424: <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG</c>.</summary>
    Rfc5424,

    /// <summary>RFC 3164 (BSD): <c>&lt;PRI&gt;Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG</c>.</summary>
    Rfc3164,
}
