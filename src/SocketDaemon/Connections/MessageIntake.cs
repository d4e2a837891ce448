using System.Buffers;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Connections;

/// <summary>
/// The one way into the pipeline, for every source (a stream connection, a datagram listener, a NATS listener, the
/// native protocol's batches): the rate limit of the sender, the counters and the accounting of failures are written
/// here once. One per connection (or per datagram or NATS listener), as it keeps the counts it has not published yet.
/// </summary>
internal sealed class MessageIntake
{
    private readonly ListenerContext _listener;
    private readonly long _connectionId;
    private readonly CancellationToken _stopping;
    private long _messages;
    private long _unpublishedMessages;
    private long _unpublishedBytes;
    private bool _rateLimitLogged;

    public MessageIntake(ListenerContext listener, long connectionId, PeerInfo peer, string peerKey, CancellationToken stopping)
    {
        _listener = listener;
        _connectionId = connectionId;
        _stopping = stopping;
        Peer = peer;
        PeerKey = peerKey;
    }

    /// <summary>The sender, for logs: after a PROXY header the source it names.</summary>
    public PeerInfo Peer { get; set; }

    /// <summary>What the sender is counted and rate-limited under: its uid, or its IP address.</summary>
    public string PeerKey { get; set; }

    /// <summary>Messages dispatched since the start.</summary>
    public long Messages => Volatile.Read(ref _messages);

    /// <summary>
    /// Runs a whole message that the rate limit lets through at once (the usual case) with no async state of its own;
    /// one that must wait, or is refused, goes the slow way. <paramref name="receivedAt"/> is the time of the read; with
    /// a rate limit the message is stamped when it is let through, as one that waited is.
    /// </summary>
    public ValueTask DeliverAsync(MessageContext context, in ReadOnlySequence<byte> message, DateTimeOffset receivedAt, bool truncated = false)
    {
        var limiter = _listener.Limits.RateLimiter;
        if (limiter is null)
        {
            context.Truncated = truncated;
            return DispatchAsync(context, message, receivedAt);
        }

        if (limiter.TryAcquire(PeerKey))
        {
            context.Truncated = truncated;
            return DispatchAsync(context, message, _listener.Time.GetUtcNow());
        }

        return DeliverSlowAsync(context, message, truncated);
    }

    private async ValueTask DeliverSlowAsync(MessageContext context, ReadOnlySequence<byte> message, bool truncated)
    {
        if (await AdmitAsync())
        {
            context.Truncated = truncated;
            await DispatchAsync(context, message, _listener.Time.GetUtcNow());
        }
    }

    /// <summary>
    /// Whether the rate limit lets the next message through: at once when no limit is configured or a token is there;
    /// with <c>Action: delay</c> after waiting for one (the source reads nothing meanwhile); with <c>Action: reject</c>
    /// not at all, counted (<c>rate_limited</c>) and warned about once per source.
    /// </summary>
    public ValueTask<bool> AdmitAsync()
    {
        var limiter = _listener.Limits.RateLimiter;
        if (limiter is null || limiter.TryAcquire(PeerKey))
        {
            return ValueTask.FromResult(true);
        }

        return limiter.Action == RateLimitAction.Delay ? DelayAsync(limiter) : ValueTask.FromResult(Reject());
    }

    /// <summary>When a message let through by <see cref="AdmitAsync"/> is stamped: the read's time, or now after a rate limit.</summary>
    public DateTimeOffset Stamp(DateTimeOffset receivedAt) => _listener.Limits.RateLimiter is null ? receivedAt : _listener.Time.GetUtcNow();

    private async ValueTask<bool> DelayAsync(MessageRateLimiter limiter)
    {
        try
        {
            return await limiter.AcquireAsync(PeerKey, _stopping) || Reject();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // What the peer sent before the stop is taken: a stop is no time to lose messages to a rate limit.
            return true;
        }
    }

    private bool Reject()
    {
        _listener.Listener.ErrorSeen(ErrorReasons.RateLimited);
        if (!_rateLimitLogged)
        {
            _rateLimitLogged = true;
            ListenerLog.RateLimited(_listener.Logger, _listener.Name, _connectionId, Peer);
        }

        return false;
    }

    /// <summary>
    /// Counts <paramref name="message"/>, read at <paramref name="receivedAt"/>, and runs it through the pipeline; the
    /// listener's counters see it at the next <see cref="PublishCounts"/>.
    /// </summary>
    public ValueTask DispatchAsync(MessageContext context, in ReadOnlySequence<byte> message, DateTimeOffset receivedAt, MessageOrigin? origin = null)
    {
        _messages++;
        context.SetMessage(message, receivedAt, origin);
        if (context.BatchWrites)
        {
            _unpublishedMessages++;
            _unpublishedBytes += message.Length;
        }
        else
        {
            // Each line goes to the log during the pipeline: the counters see the message before the log does.
            _listener.Listener.MessageRead(message.Length);
        }

        return _listener.Pipeline(context);
    }

    /// <summary>
    /// Takes one message of <paramref name="peer"/>, from a source whose every message may come from another sender
    /// (datagrams, NATS): the rate limit is that sender's.
    /// </summary>
    public void From(PeerInfo peer)
    {
        Peer = peer;
        if (_listener.Limits.RateLimiter is not null)
        {
            PeerKey = PeerConnections.KeyOf(peer);
        }
    }

    /// <summary>
    /// Adds the messages dispatched since the last call to the listener's counters: once a read (or batch), before its
    /// lines go to the log (<see cref="MessageContext.BatchWrites"/>), rather than an interlocked add per message on
    /// counters every connection shares.
    /// </summary>
    public void PublishCounts()
    {
        if (_unpublishedMessages > 0)
        {
            _listener.Listener.MessagesRead(_unpublishedMessages, _unpublishedBytes);
            _unpublishedMessages = 0;
            _unpublishedBytes = 0;
        }
    }

    /// <summary>A frame the framing dropped or cut for <c>MaxMessageBytes</c>: counted and logged.</summary>
    public void Oversize(FrameResult read, int limit)
    {
        if (read == FrameResult.Dropped)
        {
            _listener.Listener.ErrorSeen(ErrorReasons.OversizeDropped);
            ListenerLog.OversizeDropped(_listener.Logger, _listener.Name, _connectionId, Peer, limit);
        }
        else
        {
            _listener.Listener.ErrorSeen(ErrorReasons.OversizeTruncated);
            ListenerLog.OversizeTruncated(_listener.Logger, _listener.Name, _connectionId, Peer, limit);
        }
    }

    /// <summary>A message the pipeline failed, which ends its connection: counted (<c>handler_failed</c>) and logged.</summary>
    public void Failed(Exception exception)
    {
        _listener.Listener.ErrorSeen(ErrorReasons.HandlerFailed);
        ListenerLog.HandlerFailed(_listener.Logger, exception, _listener.Name, _connectionId, Peer);
    }

    /// <summary>
    /// Message <paramref name="index"/> of a batch that the pipeline failed (or whose commitment did): counted
    /// (<c>handler_failed</c>) and logged; the batch goes on, and the sender hears which message was refused.
    /// </summary>
    public void Failed(Exception exception, int index)
    {
        _listener.Listener.ErrorSeen(ErrorReasons.HandlerFailed);
        ListenerLog.BatchMessageFailed(_listener.Logger, exception, _listener.Name, _connectionId, index);
    }
}
