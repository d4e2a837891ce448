namespace SocketDaemon.Client.Protocol;

/// <summary>
/// Constants of SocketDaemon's native protocol: a preface with version negotiation, then length-prefixed frames in
/// both directions. <c>docs/protocol.md</c> specifies it.
/// </summary>
public static class NativeProtocol
{
    /// <summary>The highest protocol version this library speaks.</summary>
    /// <remarks>Version 2 adds sessions (<see cref="NativeFrameType.Session"/>) and origin batches; version 1 peers keep working.</remarks>
    public const byte Version = 2;

    /// <summary>The first version with sessions and origin batches.</summary>
    public const byte SessionVersion = 2;

    /// <summary>The size of a session id.</summary>
    public const int SessionIdSize = 16;

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
