namespace SocketDaemon.Framing;

/// <summary>How a stream connection divides its bytes into messages.</summary>
public enum FramingKind
{
    /// <summary>Chosen per connection from its first bytes; see <see cref="FramingDetector"/>.</summary>
    Auto,

    /// <summary>The classic <c>sock-client.c</c> frame: 4-byte host-order length counting a trailing NUL, then the bytes.</summary>
    Seed,

    /// <summary>
    /// Bytes up to <c>\n</c>, with a trailing <c>\r</c> dropped; a NUL ends a message too, so NUL-terminated syslog streams read message by message under <see cref="Auto"/>.
    /// </summary>
    Lines,

    /// <summary>RFC 6587 octet counting, as syslog over TCP sends it: decimal length, a space, the message.</summary>
    Octet,

    /// <summary>Not a framing but a protocol: an HTTP/1.x (or 0.9) <c>GET</c> or <c>HEAD</c> for status and metrics.</summary>
    Http,

    /// <summary>Not a framing but a protocol: the client library's acknowledged batches (<c>docs/protocol.md</c>).</summary>
    Native,

    /// <summary>One datagram, one message (<c>unixgram:</c> and <c>udp:</c> listeners); a seed frame inside is unwrapped.</summary>
    Datagram,

    /// <summary>
    /// Bytes up to a NUL, as Python's <c>SysLogHandler(socktype=SOCK_STREAM)</c> and rsyslog's
    /// <c>AddtlFrameDelimiter="0"</c> send them; a message may hold newlines. A trailing <c>\n</c> or <c>\r\n</c> is dropped.
    /// </summary>
    Nul,
}
