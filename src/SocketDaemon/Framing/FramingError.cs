namespace SocketDaemon.Framing;

/// <summary>Why a connection's bytes could not be read as messages.</summary>
public enum FramingError
{
    /// <summary>A length prefix of zero: even an empty seed message counts its NUL.</summary>
    ZeroLength,

    /// <summary>A length prefix below zero.</summary>
    NegativeLength,

    /// <summary>A frame longer than the listener's <c>MaxMessageBytes</c>.</summary>
    Oversize,

    /// <summary>The connection ended in the middle of a frame.</summary>
    Truncated,

    /// <summary>A frame did not complete within <c>FrameTimeout</c>.</summary>
    Timeout,

    /// <summary>A length prefix that is not a number, as an octet count that is not decimal.</summary>
    BadLength,

    /// <summary>Bytes that break the native protocol.</summary>
    Protocol,

    /// <summary>A frame arrived slower than <c>MinDataRate</c> after its grace period.</summary>
    TooSlow,
}
