using System.Buffers;
using System.Buffers.Binary;
using SocketDaemon.Client.Spooling;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// What a <c>Forward</c> step keeps per connection (a feature of its <see cref="MessageContext"/>): the spool records of
/// the batch being read, appended with one write when the batch ends, the one commitment its messages share, and the
/// connection's origin, encoded once for the messages that share it.
/// </summary>
/// <remarks>Used by one connection at a time; not thread-safe.</remarks>
internal sealed class ForwardStaging : IMessageBatchFeature
{
    private static readonly int Slot = MessageFeatures.SlotOf<ForwardStaging>();

    private readonly ForwardHandler _handler;
    private ForwardStaging? _next;
    private TaskCompletionSource? _commitment;
    private byte[] _origin = [];
    private object? _originOf;
    private string? _originListener;
    private DateTimeOffset _originTime;

    private ForwardStaging(ForwardHandler handler) => _handler = handler;

    /// <summary>The records staged and not appended yet.</summary>
    public SpoolRecordBuffer Records { get; } = new();

    /// <summary>The staging of <paramref name="handler"/> on <paramref name="context"/>'s connection, made on its first message.</summary>
    public static ForwardStaging Of(MessageContext context, ForwardHandler handler)
    {
        var first = context.Features.Get(Slot) as ForwardStaging;
        for (var staging = first; staging is not null; staging = staging._next)
        {
            if (staging._handler == handler)
            {
                return staging;
            }
        }

        // A second Forward step in the pipeline (another spool) stages beside the first.
        var added = new ForwardStaging(handler);
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

    /// <summary>
    /// Stages the message as one spool record (its origin entry) and returns the commitment that the messages staged
    /// with it share: it is kept once the append and what it waits for (<see cref="ForwardHandler.Append"/>) are done.
    /// </summary>
    /// <exception cref="SpoolFullException">The spool has no room for it beside what is staged; nothing was staged.</exception>
    public Task Stage(MessageContext context, string host, DiskSpool spool)
    {
        var origin = OriginOf(context, host);
        var length = (int)context.Payload.Length;
        var entry = 8 + origin.Length + length;
        spool.EnsureRoomFor(Records.Bytes + SpoolSegment.HeaderSize + entry);
        Records.BeginRecord();
        var span = Records.GetSpan(entry);
        BinaryPrimitives.WriteInt32BigEndian(span, origin.Length);
        origin.CopyTo(span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span[(4 + origin.Length)..], length);
        context.Payload.CopyTo(span[(8 + origin.Length)..]);
        Records.Advance(entry);
        Records.EndRecord(spool.MaxRecordBytes);
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
    public ValueTask FlushAsync(MessageContext context)
    {
        for (var staging = this; staging is not null; staging = staging._next)
        {
            if (staging.Records.Count > 0)
            {
                staging._handler.AppendStaged(staging);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The origin entry's bytes for the message: encoded again only when the message's origin, peer, listener or time
    /// differ from the one before (the messages of one read or one batch share them).
    /// </summary>
    private byte[] OriginOf(MessageContext context, string host)
    {
        var key = (object?)context.Origin ?? context.Peer;
        if (ReferenceEquals(key, _originOf) && (context.Origin is not null || (ReferenceEquals(context.Listener, _originListener) && context.ReceivedAt == _originTime)))
        {
            return _origin;
        }

        var bytes = new ArrayBufferWriter<byte>(128);
        context.FirstOrigin(host).Write(bytes);
        _origin = bytes.WrittenSpan.ToArray();
        _originOf = key;
        _originListener = context.Listener;
        _originTime = context.ReceivedAt;
        return _origin;
    }
}
