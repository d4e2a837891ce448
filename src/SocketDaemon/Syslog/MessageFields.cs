using System.Buffers;

namespace SocketDaemon.Syslog;

/// <summary>
/// The fields a <c>Parse</c> step found in the current message of a context (<see cref="Pipeline.MessageContext.Fields"/>):
/// one object per context, reset for each message, holding numbers and ranges into the message bytes, so that
/// parsing allocates nothing per message.
/// </summary>
/// <remarks>
/// The ranges point into the payload when it lies in one segment (nearly always), else into a copy the object keeps
/// and reuses; <see cref="Source"/> gives the bytes they are ranges of.
/// </remarks>
public sealed class MessageFields
{
    private byte[]? _joined;
    private int _joinedLength;
    private bool _usesJoined;
    private SyslogHeader _header;

    /// <summary>Whether a <c>Parse</c> step has run on the current message.</summary>
    public bool IsParsed { get; private set; }

    /// <summary>Whether a <c>Parse</c> step ran and the message was not of its format: it is kept whole, as text.</summary>
    public bool ParseError { get; private set; }

    /// <summary>The fields; all absent until a <c>Parse</c> step has parsed the message.</summary>
    public ref readonly SyslogHeader Header => ref _header;

    /// <summary>What the message was recognised as.</summary>
    public MessageFormat Format => _header.Format;

    /// <summary>The facility, when the message has a PRI.</summary>
    public int? Facility => _header.Facility;

    /// <summary>The severity, when the message has a PRI.</summary>
    public int? Severity => _header.Severity;

    /// <summary>The parse counts of this context's listener, looked up once per context.</summary>
    internal ParseCounters.Counts? Counts { get; set; }

    /// <summary>The bytes the ranges of <see cref="Header"/> are ranges of: <paramref name="payload"/>'s, or the joined copy.</summary>
    public ReadOnlySpan<byte> Source(in ReadOnlySequence<byte> payload) =>
        _usesJoined ? _joined.AsSpan(0, _joinedLength) : payload.FirstSpan;

    /// <summary>The bytes of <paramref name="field"/> of the current message.</summary>
    public ReadOnlySpan<byte> Get(in ReadOnlySequence<byte> payload, FieldRange field) => field.Of(Source(payload));

    /// <summary>Forgets the fields of the last message.</summary>
    public void Reset()
    {
        _header = default;
        IsParsed = false;
        ParseError = false;
        _usesJoined = false;
    }

    /// <summary>
    /// The message bytes in one span: <paramref name="payload"/>'s first segment, or (rare, a message across two
    /// receive segments) a copy into storage this object reuses.
    /// </summary>
    public ReadOnlySpan<byte> Join(in ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            _usesJoined = false;
            return payload.FirstSpan;
        }

        var length = checked((int)payload.Length);
        if (_joined is null || _joined.Length < length)
        {
            _joined = new byte[Math.Max(length, 256)];
        }

        payload.CopyTo(_joined);
        _joinedLength = length;
        _usesJoined = true;
        return _joined.AsSpan(0, length);
    }

    /// <summary>Records what a parser found in the bytes <see cref="Join"/> gave.</summary>
    public void Set(in SyslogHeader header)
    {
        _header = header;
        IsParsed = true;
        ParseError = false;
    }

    /// <summary>Records that the message is not of the step's format.</summary>
    public void SetError()
    {
        _header = default;
        IsParsed = true;
        ParseError = true;
    }

    /// <summary>Records that the message is text, as <c>Format: auto</c> keeps what is neither syslog nor JSON.</summary>
    public void SetText()
    {
        _header = default;
        IsParsed = true;
        ParseError = false;
    }
}
