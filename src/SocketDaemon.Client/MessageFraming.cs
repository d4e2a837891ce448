namespace SocketDaemon.Client;

/// <summary>How the client frames each message on the wire.</summary>
public enum MessageFraming
{
    /// <summary>
    /// The classic <c>sock-client.c</c> frame: a 4-byte length in host byte order that counts a trailing NUL,
    /// then the message and the NUL. Understood by the classic <c>sock-server.c</c> too.
    /// </summary>
    Seed,

    /// <summary>One message per line, ended by <c>\n</c>, as <c>nc</c> and <c>logger</c> send.</summary>
    Lines,
}
