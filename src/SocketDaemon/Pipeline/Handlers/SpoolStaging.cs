using SocketDaemon.Client.Spooling;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// What a spooling step keeps per connection (a feature of its <see cref="MessageContext"/>): the spool records of the
/// batch being read, appended with one write when the batch ends, the one commitment its messages share, and the
/// message's origin as the step encodes it, encoded again only when it changes.
/// </summary>
/// <typeparam name="TSelf">The step's staging: a feature slot of its own, and one staging per step of that kind.</typeparam>
/// <remarks>Used by one connection at a time; not thread-safe.</remarks>
internal abstract class SpoolStaging<TSelf> : IMessageBatchFeature
    where TSelf : SpoolStaging<TSelf>
{
    private static readonly int Slot = MessageFeatures.SlotOf<TSelf>();

    private readonly object _handler;
    private TSelf? _next;
    private TaskCompletionSource? _commitment;
    private byte[] _origin = [];
    private object? _originOf;
    private string? _originListener;
    private DateTimeOffset _originTime;

    /// <summary>A staging for the step <paramref name="handler"/>.</summary>
    protected SpoolStaging(object handler) => _handler = handler;

    /// <summary>The records staged and not appended yet.</summary>
    public SpoolRecordBuffer Records { get; } = new();

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
        for (var staging = (TSelf)this; staging is not null; staging = staging._next)
        {
            if (staging.Records.Count > 0)
            {
                await staging.AppendStagedAsync();
            }
        }
    }

    /// <summary>
    /// The staging of <paramref name="handler"/> on <paramref name="context"/>'s connection, made by
    /// <paramref name="create"/> on its first message; a second step of the kind (another spool) stages beside the first.
    /// </summary>
    protected static TSelf Of(MessageContext context, object handler, Func<object, TSelf> create)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(create);
        var first = context.Features.Get(Slot) as TSelf;
        for (var staging = first; staging is not null; staging = staging._next)
        {
            if (staging._handler == handler)
            {
                return staging;
            }
        }

        var added = create(handler);
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

    /// <summary>The commitment the messages staged since the last append share.</summary>
    protected Task SharedCommitment() =>
        (_commitment ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// The origin's bytes for the message: encoded again (<see cref="EncodeOrigin"/>) only when its origin, peer,
    /// listener or time differ from the one before (the messages of one read or one batch share them).
    /// </summary>
    protected byte[] OriginOf(MessageContext context, string host)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = (object?)context.Origin ?? context.Peer;
        if (ReferenceEquals(key, _originOf) && (context.Origin is not null || (ReferenceEquals(context.Listener, _originListener) && context.ReceivedAt == _originTime)))
        {
            return _origin;
        }

        _origin = EncodeOrigin(context, host);
        _originOf = key;
        _originListener = context.Listener;
        _originTime = context.ReceivedAt;
        return _origin;
    }

    /// <summary>The message's origin as the step's spool records carry it.</summary>
    protected abstract byte[] EncodeOrigin(MessageContext context, string host);

    /// <summary>Appends the staged records to the step's spool with one write.</summary>
    protected abstract ValueTask AppendStagedAsync();
}
