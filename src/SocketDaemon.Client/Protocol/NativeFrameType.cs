namespace SocketDaemon.Client.Protocol;

/// <summary>The type byte of a native-protocol frame. Requests have the high bit clear, replies set.</summary>
public enum NativeFrameType : byte
{
    /// <summary>Client → daemon: <c>u64 sequence, u32 count, count × (u32 length, bytes)</c>.</summary>
    Batch = 0x01,

    /// <summary>Client → daemon: <c>u64 id</c>; answered by <see cref="StatusReply"/>.</summary>
    Status = 0x02,

    /// <summary>Client → daemon: <c>u64 id</c>; answered by <see cref="Ok"/> before the daemon stops, or <see cref="Error"/>.</summary>
    Quit = 0x03,

    /// <summary>
    /// Client → daemon: <c>u64 id, u16 length, listener (UTF-8, empty for all), text to find (UTF-8, rest of the
    /// body)</c>; the connection then carries <see cref="TailMessage"/> and <see cref="Skipped"/> frames until it closes.
    /// </summary>
    Tail = 0x04,

    /// <summary>
    /// Client → daemon, version 2: <c>u64 id, 16-byte session id</c>; answered by <see cref="Ok"/>. From then on the
    /// connection's batches number their messages within the session, and the daemon skips those it already logged.
    /// </summary>
    Session = 0x05,

    /// <summary>
    /// Client → daemon, version 2: <c>u64 sequence, i32 count, count × (i32 origin length, origin, i32 length, bytes)</c>:
    /// a batch whose messages carry their <see cref="MessageOrigin"/> (an origin length of 0: none).
    /// </summary>
    OriginBatch = 0x06,

    /// <summary>Daemon → client: <c>u64 sequence, u32 accepted, u32 errors, errors × (u32 index, u8 code)</c>.</summary>
    Ack = 0x81,

    /// <summary>Daemon → client: <c>u64 id, UTF-8 JSON</c>.</summary>
    StatusReply = 0x82,

    /// <summary>Daemon → client: <c>u64 id, u8 code, UTF-8 text</c>: the request or batch was refused as a whole.</summary>
    Error = 0x83,

    /// <summary>Daemon → client: <c>u64 id</c>: the request was carried out.</summary>
    Ok = 0x84,

    /// <summary>Daemon → client, on a tail: <c>u64 id, UTF-8 JSON</c> of one message (time, listener, peer, text).</summary>
    TailMessage = 0x85,

    /// <summary>Daemon → client, on a tail: <c>u64 id, u64 count</c>: messages this slow reader missed.</summary>
    Skipped = 0x86,
}
