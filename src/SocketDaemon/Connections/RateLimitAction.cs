namespace SocketDaemon.Connections;

/// <summary>What a rate limit does with a message over it.</summary>
public enum RateLimitAction
{
    /// <summary>Waits for a token before reading on: the kernel's buffers, then TCP flow control, slow the sender.</summary>
    Delay,

    /// <summary>Drops the message, counted as <c>rate_limited</c>; native-protocol clients get a <c>RateLimited</c> error.</summary>
    Reject,
}
