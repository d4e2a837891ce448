namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>A message property a templated <c>Log</c> step's <c>Path</c> may name, as <c>{AppName}</c>.</summary>
public enum LogPathField
{
    /// <summary>The syslog APP-NAME (or RFC 3164 tag) a <c>Parse</c> step found.</summary>
    AppName,

    /// <summary>The syslog HOSTNAME a <c>Parse</c> step found.</summary>
    Hostname,

    /// <summary>The facility keyword (<c>auth</c>, <c>local3</c>, ...) a <c>Parse</c> step found.</summary>
    Facility,

    /// <summary>The severity keyword (<c>err</c>, <c>info</c>, ...) a <c>Parse</c> step found.</summary>
    Severity,

    /// <summary>The name of the listener the message arrived on.</summary>
    Listener,

    /// <summary>The user id of the sending process (Unix sockets).</summary>
    Uid,

    /// <summary>The name (<c>comm</c>) of the sending process (Unix sockets).</summary>
    Comm,
}
