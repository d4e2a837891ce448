using SocketDaemon.Client.Spooling;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Nats;

/// <summary>
/// What a <c>Nats</c> step keeps per connection (a feature of its <see cref="MessageContext"/>): the spool records of
/// the batch being read, appended with one write when the batch ends, the one commitment its messages share, and the
/// origin headers, encoded once for the messages that share them.
/// </summary>
/// <remarks>Used by one connection at a time; not thread-safe.</remarks>
internal sealed class NatsStaging : IMessageBatchFeature
{
    private static readonly int Slot = MessageFeatures.SlotOf<NatsStaging>();

    private readonly NatsHandler _handler;
    private NatsStaging? _next;
    private TaskCompletionSource? _commitment;
    private byte[] _headers = [];
    private object? _headersOf;
    private string? _headersListener;
    private DateTimeOffset _headersTime;

    private NatsStaging(NatsHandler handler) => _handler = handler;

    /// <summary>The records staged and not appended yet.</summary>
    public SpoolRecordBuffer Records { get; } = new();

    /// <summary>The staging of <paramref name="handler"/> on <paramref name="context"/>'s connection, made on its first message.</summary>
    public static NatsStaging Of(MessageContext context, NatsHandler handler)
    {
        var first = context.Features.Get(Slot) as NatsStaging;
        for (var staging = first; staging is not null; staging = staging._next)
        {
            if (staging._handler == handler)
            {
                return staging;
            }
        }

        // A second Nats step in the pipeline (another stream) stages beside the first.
        var added = new NatsStaging(handler);
        if (first is null)
        {
            context.Features.Set(added);
        }
        else
        {
            added._next = first._next;
            first._next = added;
        }

        return added;
    }

    /// <summary>Stages the message as one spool record and returns the commitment the messages staged with it share.</summary>
    /// <exception cref="ArgumentException">The message is over the spool's record size; nothing was staged.</exception>
    public Task Stage(MessageContext context, string subject, string host, int maxRecordBytes)
    {
        NatsSpoolRecord.Stage(Records, subject, HeadersOf(context, host), context.Payload, maxRecordBytes);
        return (_commitment ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    /// <summary>Hands the staged records' commitment to the append, and starts a new one for the next batch.</summary>
    public TaskCompletionSource TakeCommitment()
    {
        var commitment = _commitment ?? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _commitment = null;
        return commitment;
    }

    /// <summary>Appends what this connection staged to each step's spool, one write each.</summary>
    public async ValueTask FlushAsync(MessageContext context)
    {
        for (var staging = this; staging is not null; staging = staging._next)
        {
            if (staging.Records.Count > 0)
            {
                await staging._handler.AppendStagedAsync(staging);
            }
        }
    }

    /// <summary>
    /// The origin headers' bytes for the message: encoded again only when its origin, peer, listener or time differ
    /// from the one before (the messages of one read or one batch share them).
    /// </summary>
    private byte[] HeadersOf(MessageContext context, string host)
    {
        var key = (object?)context.Origin ?? context.Peer;
        if (ReferenceEquals(key, _headersOf) && (context.Origin is not null || (ReferenceEquals(context.Listener, _headersListener) && context.ReceivedAt == _headersTime)))
        {
            return _headers;
        }

        _headers = NatsSpoolRecord.EncodeHeaders(NatsOriginHeaders.For(context, host));
        _headersOf = key;
        _headersListener = context.Listener;
        _headersTime = context.ReceivedAt;
        return _headers;
    }
}
