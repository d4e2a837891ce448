namespace SocketDaemon.SyslogOutput;

/// <summary>How messages are delimited on a <c>tcp://</c> or <c>tls://</c> connection to a collector (RFC 6587).</summary>
public enum SyslogFraming
{
    /// <summary>Octet counting: <c>LEN SP MSG</c>; any byte may be in a message.</summary>
    Octet,

    /// <summary>Non-transparent framing: each message ends with LF; an LF inside a message is sent as a space.</summary>
    Lf,
}
