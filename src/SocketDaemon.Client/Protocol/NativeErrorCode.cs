namespace SocketDaemon.Client.Protocol;

/// <summary>Why the daemon refused a message, a batch or a request.</summary>
public enum NativeErrorCode : byte
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The message is longer than the listener's <c>MaxMessageBytes</c>.</summary>
    TooLarge = 1,

    /// <summary>The sender is over its rate limit; retry later.</summary>
    RateLimited = 2,

    /// <summary>The daemon is stopping.</summary>
    ShuttingDown = 3,

    /// <summary>The peer may not do this, such as stop the daemon.</summary>
    Forbidden = 4,

    /// <summary>The frame does not follow the protocol.</summary>
    Malformed = 5,

    /// <summary>The daemon cannot take more now; retry later.</summary>
    Busy = 6,

    /// <summary>The daemon failed to handle it.</summary>
    Internal = 7,
}
