namespace SocketDaemon.Client.Protocol;

/// <summary>
/// Constants of SocketDaemon's native protocol: a preface with version negotiation, then length-prefixed frames in
/// both directions. <c>docs/protocol.md</c> specifies it.
/// </summary>
public static class NativeProtocol
{
    /// <summary>The protocol version this library speaks.</summary>
    public const byte Version = 1;

    /// <summary>The preface size: the magic and one version byte.</summary>
    public const int PrefaceSize = 6;

    /// <summary>The frame header size: a 4-byte big-endian length, then a 1-byte type.</summary>
    public const int FrameHeaderSize = 5;

    /// <summary>The most messages one batch may carry.</summary>
    public const int MaxBatchMessages = 4096;

    /// <summary>
    /// The magic that starts the preface: a NUL (which no text, no seed header within limits and no HTTP request
    /// starts with), then <c>SDNP</c>.
    /// </summary>
    public static ReadOnlySpan<byte> Magic => "\0SDNP"u8;
}
