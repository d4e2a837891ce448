namespace SocketDaemon.Framing;

/// <summary>How a stream connection divides its bytes into messages.</summary>
public enum FramingKind
{
    /// <summary>Chosen per connection from its first bytes; see <see cref="FramingDetector"/>.</summary>
    Auto,

    /// <summary>The classic <c>sock-client.c</c> frame: 4-byte host-order length counting a trailing NUL, then the bytes.</summary>
    Seed,

    /// <summary>Bytes up to <c>\n</c>, with a trailing <c>\r</c> dropped.</summary>
    Lines,
}
