namespace SocketDaemon.PostgresOutput;

/// <summary>One message as a row of the table (<see cref="PostgresTable"/> lists the columns); <see langword="null"/> is SQL NULL.</summary>
public sealed class PostgresRow
{
    /// <summary>The spool record the row came from.</summary>
    public ulong Sequence { get; init; }

    /// <summary>When the daemon read the message, UTC.</summary>
    public DateTime Received { get; init; }

    /// <summary>The listener that read it.</summary>
    public string Listener { get; init; } = string.Empty;

    /// <summary>The peer's process id (Unix sockets).</summary>
    public int? PeerPid { get; init; }

    /// <summary>The peer's user id (Unix sockets).</summary>
    public long? PeerUid { get; init; }

    /// <summary>The peer's group id (Unix sockets).</summary>
    public long? PeerGid { get; init; }

    /// <summary>The peer's process name (Unix sockets).</summary>
    public string? PeerComm { get; init; }

    /// <summary>The peer's address and port (TCP, UDP).</summary>
    public string? PeerAddress { get; init; }

    /// <summary>The facility number, 0 to 23.</summary>
    public short? Facility { get; init; }

    /// <summary>The severity number, 0 (emerg) to 7 (debug).</summary>
    public short? Severity { get; init; }

    /// <summary>The sender's timestamp as it wrote it.</summary>
    public string? Timestamp { get; init; }

    /// <summary>The sender's host name.</summary>
    public string? Hostname { get; init; }

    /// <summary>APP-NAME, or RFC 3164's tag.</summary>
    public string? AppName { get; init; }

    /// <summary>PROCID.</summary>
    public string? ProcId { get; init; }

    /// <summary>MSGID.</summary>
    public string? MsgId { get; init; }

    /// <summary>The structured data as a JSON object (the JSON log's <c>sd</c>).</summary>
    public string? StructuredData { get; init; }

    /// <summary>The message text: invalid UTF-8 and NUL replaced by U+FFFD.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>The message bytes, when <see cref="Message"/> could not hold them exactly.</summary>
    public byte[]? Raw { get; init; }

    /// <summary>A JSON message's object as it came.</summary>
    public string? Json { get; init; }

    /// <summary>Whether a Parse step did not recognise the message.</summary>
    public bool ParseError { get; init; }

    /// <summary>Whether the message was cut at the listener's maximum size.</summary>
    public bool Truncated { get; init; }
}
