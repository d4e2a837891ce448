using System.Buffers;
using System.Text;
using SocketDaemon.Framing;
using SocketDaemon.Listeners;

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
    private List<Task>? _deferred;

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

    /// <summary>When the daemon read the message.</summary>
    public DateTimeOffset ReceivedAt { get; private set; }

    /// <summary>The message decoded as UTF-8; decoded once, on first use.</summary>
    public string Text => _text ??= Encoding.UTF8.GetString(Payload);

    /// <summary>Whether the message's bytes equal <paramref name="value"/>, without decoding it.</summary>
    public bool PayloadEquals(ReadOnlySpan<byte> value) =>
        Payload.Length == value.Length && (Payload.IsSingleSegment ? Payload.FirstSpan.SequenceEqual(value) : Payload.ToArray().AsSpan().SequenceEqual(value));

    /// <summary>
    /// Whether whoever runs the pipeline acknowledges the message to its sender, and so waits for the work handlers
    /// <see cref="Defer"/>: the native protocol and <c>nats:</c> listeners do; plain lines and datagrams do not.
    /// </summary>
    public bool AwaitsCommit { get; set; }

    /// <summary>
    /// Makes the message count as committed only once <paramref name="commit"/> completes: the native protocol
    /// acknowledges it, and a <c>nats:</c> listener acknowledges it to NATS, only after that (and after the message
    /// log's commit). A handler whose work ends after its call, such as a publish waiting for JetStream's
    /// acknowledgement, defers it here rather than awaiting it, so the messages of a batch wait together. A failed
    /// <paramref name="commit"/> fails the message. Ignored unless <see cref="AwaitsCommit"/>: nobody would wait.
    /// </summary>
    public void Defer(Task commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        if (AwaitsCommit && !commit.IsCompletedSuccessfully)
        {
            (_deferred ??= []).Add(commit);
        }
    }

    /// <summary>The work deferred for the current message, as one task, or <see langword="null"/> if none; taking it clears it.</summary>
    public Task? TakeDeferred()
    {
        if (_deferred is not { Count: > 0 } deferred)
        {
            return null;
        }

        var task = deferred.Count == 1 ? deferred[0] : Task.WhenAll(deferred);
        deferred.Clear();
        return task;
    }

    /// <summary>Points the context at the next message of its connection.</summary>
    public void SetMessage(in ReadOnlySequence<byte> payload, DateTimeOffset receivedAt)
    {
        Payload = payload;
        ReceivedAt = receivedAt;
        _text = null;
    }
}
