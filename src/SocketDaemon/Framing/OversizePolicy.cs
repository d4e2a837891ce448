namespace SocketDaemon.Framing;

/// <summary>What a listener does with a frame longer than its <c>MaxMessageBytes</c>.</summary>
public enum OversizePolicy
{
    /// <summary>Closes the connection with a logged reason (<c>oversize</c>).</summary>
    Close,

    /// <summary>Skips the frame, without buffering it, and reads on from the next one (<c>oversize_dropped</c>).</summary>
    Drop,

    /// <summary>Keeps the first <c>MaxMessageBytes</c>, marked truncated, and skips the rest (<c>oversize_truncated</c>).</summary>
    Truncate,
}
