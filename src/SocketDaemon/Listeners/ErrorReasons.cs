using SocketDaemon.Framing;

namespace SocketDaemon.Listeners;

/// <summary>The reasons errors are counted under in status and metrics: short, stable, snake_case.</summary>
public static class ErrorReasons
{
    /// <summary>A handler threw.</summary>
    public const string HandlerFailed = "handler_failed";

    /// <summary>A connection was refused by <c>MaxConnections</c>.</summary>
    public const string ConnectionLimit = "connection_limit";

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

    /// <summary>The reason for a framing error.</summary>
    public static string Of(FramingError error) => error switch
    {
        FramingError.ZeroLength => "zero_length",
        FramingError.NegativeLength => "negative_length",
        FramingError.Oversize => "oversize",
        FramingError.Truncated => "truncated",
        FramingError.Timeout => "timeout",
        FramingError.BadLength => "bad_length",
        FramingError.Protocol => "protocol",
        _ => "other",
    };
}
