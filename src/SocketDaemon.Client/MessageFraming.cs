namespace SocketDaemon.Client;

/// <summary>How the client frames each message on the wire.</summary>
public enum MessageFraming
{
    /// <summary>
    /// SocketDaemon's native protocol: batches that the daemon acknowledges once they are in its log, and status and
    /// quit requests. See <c>docs/protocol.md</c>.
    /// </summary>
    Native,

    /// <summary>
    /// The classic <c>sock-client.c</c> frame: a 4-byte length in host byte order that counts a trailing NUL,
    /// then the message and the NUL. Understood by the classic <c>sock-server.c</c> too. Not acknowledged.
    /// </summary>
    Seed,

    /// <summary>One message per line, ended by <c>\n</c>, as <c>nc</c> and <c>logger</c> send. Not acknowledged.</summary>
    Lines,

    /// <summary>RFC 6587 octet counting (<c>LEN SP MSG</c>), as syslog over TCP sends. Not acknowledged.</summary>
    Octet,
}
