using SocketDaemon.Framing;

namespace SocketDaemon.Connections;

/// <summary>The reasons errors are counted under in status and metrics: short, stable, snake_case.</summary>
public static class ErrorReasons
{
    /// <summary>A handler threw.</summary>
    public const string HandlerFailed = "handler_failed";

    /// <summary>A connection was refused by <c>Limits:MaxConnections</c>, over all listeners.</summary>
    public const string ConnectionLimit = "connection_limit";

    /// <summary>A connection was refused by the listener's own <c>MaxConnections</c>.</summary>
    public const string ListenerConnectionLimit = "listener_connection_limit";

    /// <summary>A connection was refused by <c>MaxConnectionsPerPeer</c>.</summary>
    public const string PeerConnectionLimit = "peer_connection_limit";

    /// <summary>A message was dropped by a rate limit with <c>Action: reject</c>.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>A frame over <c>MaxMessageBytes</c> was skipped (<c>Oversize: drop</c>).</summary>
    public const string OversizeDropped = "oversize_dropped";

    /// <summary>A frame over <c>MaxMessageBytes</c> was cut to it (<c>Oversize: truncate</c>).</summary>
    public const string OversizeTruncated = "oversize_truncated";

    /// <summary>A native-protocol message was longer than <c>MaxMessageBytes</c>.</summary>
    public const string TooLarge = "too_large";

    /// <summary>An HTTP request the daemon does not serve (bad method, head too large, malformed).</summary>
    public const string BadRequest = "bad_request";

    /// <summary>A connection or datagram from a peer not on the listener's allow lists.</summary>
    public const string AccessDenied = "access_denied";

    /// <summary>A TLS handshake failed: no certificate when one is required, a certificate not trusted, not TLS at all.</summary>
    public const string TlsHandshake = "tls_handshake";

    /// <summary>A connection on a <c>ProxyProtocol</c> listener did not start with a valid PROXY header.</summary>
    public const string ProxyHeader = "proxy_header";

    /// <summary>
    /// A native-protocol batch was answered <c>Busy</c>, not taken, because the message log was behind (its queue full)
    /// or could not be written; the client sends it again.
    /// </summary>
    public const string Busy = "busy";

    /// <summary>A connection was closed for sending nothing for <c>IdleTimeout</c> (or, before its first byte, <c>FrameTimeout</c>).</summary>
    public const string IdleTimeout = "idle_timeout";

    /// <summary>The reason for a framing error.</summary>
    public static string Of(FramingError error) => error switch
    {
        FramingError.ZeroLength => "zero_length",
        FramingError.NegativeLength => "negative_length",
        FramingError.Oversize => "oversize",
        FramingError.Truncated => "truncated",
        FramingError.Timeout => "timeout",
        FramingError.TooSlow => "min_data_rate",
        FramingError.BadLength => "bad_length",
        FramingError.Protocol => "protocol",
        _ => "other",
    };
}
