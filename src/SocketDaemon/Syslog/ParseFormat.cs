namespace SocketDaemon.Syslog;

/// <summary>What a <c>Parse</c> step reads messages as.</summary>
public enum ParseFormat
{
    /// <summary>Syslog if it parses, else a JSON object if it is one, else the text as it came (no error).</summary>
    Auto,

    /// <summary>RFC 5424 or RFC 3164 syslog; anything else is kept whole and marked <c>ParseError</c>.</summary>
    Syslog,

    /// <summary>One JSON object; anything else is kept whole and marked <c>ParseError</c>.</summary>
    Json,
}
