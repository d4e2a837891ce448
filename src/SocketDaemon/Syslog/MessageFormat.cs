namespace SocketDaemon.Syslog;

/// <summary>What a <c>Parse</c> step recognised a message as.</summary>
public enum MessageFormat
{
    /// <summary>Not parsed (no <c>Parse</c> step ran), or kept as the text it came as.</summary>
    None,

    /// <summary>RFC 5424 syslog (<see href="https://www.rfc-editor.org/rfc/rfc5424"/>).</summary>
    Rfc5424,

    /// <summary>BSD syslog as RFC 3164 describes it, with the variants real senders write.</summary>
    Rfc3164,

    /// <summary>A JSON object.</summary>
    Json,
}
