using System.Buffers;
using System.Text;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;

namespace SocketDaemon.Pipeline;

/// <summary>
/// One message on its way through the pipeline, with where it came from.
/// </summary>
/// <remarks>
/// A connection reuses one context for all its messages, and <see cref="Payload"/> points into the connection's
/// receive buffer: a handler that keeps anything past its own call must copy it.
/// </remarks>
public sealed class MessageContext
{
    private string? _text;
    private List<Task>? _commitments;
    private MessageFeatures? _features;
    private Syslog.MessageFields? _fields;

    /// <summary>Creates a context for the messages of one connection.</summary>
    public MessageContext(string listener, long connectionId, PeerInfo peer, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(services);
        Listener = listener;
        ConnectionId = connectionId;
        Peer = peer;
        Services = services;
    }

    /// <summary>The name of the listener the message arrived on.</summary>
    public string Listener { get; }

    /// <summary>The connection's id, unique for the life of the daemon.</summary>
    public long ConnectionId { get; }

    /// <summary>The process or address that sent the message.</summary>
    public PeerInfo Peer { get; }

    /// <summary>The daemon's services.</summary>
    public IServiceProvider Services { get; }

    /// <summary>How the connection frames its messages.</summary>
    public FramingKind Framing { get; set; }

    /// <summary>The message bytes, without framing. Valid only during the pipeline call.</summary>
    public ReadOnlySequence<byte> Payload { get; private set; }

    /// <summary>
    /// Whether the message is only the first <c>MaxMessageBytes</c> of a longer frame, cut by <c>Oversize: truncate</c>.
    /// The log shows it (a <c>Truncated</c> property, and <c> [truncated]</c> after the text of a line).
    /// </summary>
    public bool Truncated { get; set; }

    /// <summary>When the daemon read the message.</summary>
    public DateTimeOffset ReceivedAt { get; private set; }

    /// <summary>
    /// Where the message first entered SocketDaemon when another daemon forwarded it here (a native-protocol origin
    /// batch); <see langword="null"/> when this daemon is the first. Logged as the <c>Origin*</c> properties.
    /// </summary>
    public MessageOrigin? Origin { get; private set; }

    /// <summary>
    /// Where the message first entered SocketDaemon, for a handler that sends it on: its <see cref="Origin"/> when it
    /// came from another daemon, else this daemon (<paramref name="host"/>), this listener and this peer.
    /// </summary>
    public MessageOrigin FirstOrigin(string host) => Origin ?? new MessageOrigin
    {
        Host = host,
        Listener = Listener,
        Peer = Peer.ToString(),
        ReceivedAt = ReceivedAt,
        ProcessId = Peer.ProcessId,
        UserId = Peer.UserId,
        GroupId = Peer.GroupId,
        ProcessName = Peer.ProcessName,
    };

    /// <summary>The fields a <c>Parse</c> step found in the message (syslog header, JSON members); reset for each message.</summary>
    public Syslog.MessageFields Fields => _fields ??= new Syslog.MessageFields();

    /// <summary>The message decoded as UTF-8; decoded once, on first use.</summary>
    public string Text => _text ??= Encoding.UTF8.GetString(Payload);

    /// <summary>
    /// Whether the source delivers messages in batches (all those of one read, or of one native batch) and calls
    /// <see cref="FlushAsync"/> after the last one: handlers may then keep what they make per message until the flush
    /// (the <c>Log</c> step hands a batch's lines to the writer at once).
    /// </summary>
    public bool BatchWrites { get; set; }

    /// <summary>What handlers keep for this context's connection (their per-connection state), by type.</summary>
    public MessageFeatures Features => _features ??= new MessageFeatures();

    /// <summary>
    /// Hands on what handlers kept for this batch (<see cref="IMessageBatchFeature"/>: the <c>Log</c> step's lines go to
    /// their writers, waiting while a writer's queue is full), and lets go of the last message: the batch is done, its payload points into a receive buffer that the connection
    /// gives back, and an idle connection must not keep that buffer alive.
    /// </summary>
    public async ValueTask FlushAsync()
    {
        if (_features is { } features)
        {
            await features.FlushAsync(this);
        }

        Payload = default;
        _text = null;
    }

    /// <summary>Whether the message's bytes equal <paramref name="value"/>, without decoding it.</summary>
    public bool PayloadEquals(ReadOnlySpan<byte> value) =>
        Payload.Length == value.Length && (Payload.IsSingleSegment ? Payload.FirstSpan.SequenceEqual(value) : Payload.ToArray().AsSpan().SequenceEqual(value));

    /// <summary>
    /// Adds work that must finish before the message counts as committed, the point where the native protocol
    /// acknowledges it: a handler that hands the message on adds the next hop's acknowledgement (<c>Forward</c> with
    /// <c>Acknowledge: downstream</c>, <c>Nats</c> with <c>Acknowledge: nats</c>). A faulted task fails the message.
    /// Transports that acknowledge nothing ignore it.
    /// </summary>
    public void AddCommitment(Task commitment)
    {
        ArgumentNullException.ThrowIfNull(commitment);
        if (!commitment.IsCompletedSuccessfully)
        {
            (_commitments ??= []).Add(commitment);
        }
    }

    /// <summary>The commitments the pipeline added for the current message, which the context then forgets.</summary>
    public Task? TakeCommitment()
    {
        // The list is kept for the next message: a batch whose every message has a commitment allocates it once.
        var commitments = _commitments;
        if (commitments is null or [])
        {
            return null;
        }

        var commitment = commitments.Count == 1 ? commitments[0] : Task.WhenAll([.. commitments]);
        commitments.Clear();
        return commitment;
    }

    /// <summary>Points the context at the next message of its connection.</summary>
    public void SetMessage(in ReadOnlySequence<byte> payload, DateTimeOffset receivedAt) => SetMessage(payload, receivedAt, Origin);

    /// <summary>Points the context at the next message of its connection, forwarded from <paramref name="origin"/>.</summary>
    public void SetMessage(in ReadOnlySequence<byte> payload, DateTimeOffset receivedAt, MessageOrigin? origin)
    {
        Payload = payload;
        ReceivedAt = receivedAt;
        Origin = origin;
        _text = null;
        _commitments?.Clear();
        _fields?.Reset();
    }
}
