using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// A <c>nats://</c> listener's acknowledgements with <c>AckPolicy: All</c>, one consume session at a time: each
/// batch's committed deliveries go to a <see cref="NatsAckFloor{T}"/>, and one acknowledgement, of the delivery it
/// names, covers them; the failed ones are asked for again as with <c>Explicit</c>.
/// </summary>
internal sealed class NatsAckAll(TimeProvider time, TimeSpan ackWait, string consumer)
{
    private readonly NatsAckFloor<INatsJSMsg<byte[]>> _floor = new();

    // Since when committed deliveries wait for an acknowledgement that is not safe yet.
    private long? _holdingSince;

    /// <summary>Starts a session from <paramref name="info"/>, the consumer's state read before it asks for messages.</summary>
    public void Start(ConsumerInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        _floor.Start(info.AckFloor.StreamSeq, info.AckFloor.ConsumerSeq, info.Delivered.ConsumerSeq, info.NumAckPending);
        _holdingSince = null;
    }

    /// <summary>
    /// A delivery of the batch, in order; <see langword="true"/> when it is committed and left to the batch's one
    /// acknowledgement (<see cref="Take"/>), <see langword="false"/> when it is to be asked for again on its own.
    /// </summary>
    public bool Add(INatsJSMsg<byte[]> message, bool committed)
    {
        ArgumentNullException.ThrowIfNull(message);
        _ = NatsReplySubject.TrySequences(message.ReplyTo, out var sequence, out var delivery, out var deliveries);
        _floor.Add(sequence, delivery, deliveries > 1, committed, message);
        return committed;
    }

    /// <summary>
    /// Whether the message of stream sequence <paramref name="sequence"/> is covered by an acknowledgement already: a
    /// copy (nats-server 2.9 may deliver one again and again, its acknowledgement ignored) is not logged again.
    /// </summary>
    public bool Covers(ulong sequence) => _floor.Covers(sequence);

    /// <summary>After a batch: the delivery to acknowledge, if an acknowledgement is safe and moves the floor.</summary>
    public INatsJSMsg<byte[]>? Take() => _floor.TryTake(out var message) ? message : null;

    /// <summary>
    /// After a batch: a missed delivery, or acknowledgements held back for over three times <c>AckWait</c> (what they
    /// wait for was removed from the stream, or an acknowledgement was still on its way when the session read the
    /// consumer), end the session (<see cref="NatsSessionRestartException"/>): a new one reads the consumer's state again.
    /// </summary>
    public void Check()
    {
        if (_floor.Missed)
        {
            throw new NatsSessionRestartException($"consumer {consumer} delivered consumer sequence {_floor.MissedAt.Came} where {_floor.MissedAt.Expected} was next: deliveries were lost on the way (a reconnect) or another reader shares the consumer, which AckPolicy: All does not allow; starting over, acknowledging nothing until they come again");
        }

        if (!_floor.Holding)
        {
            _holdingSince = null;
            return;
        }

        var now = time.GetTimestamp();
        _holdingSince ??= now;
        if (time.GetElapsedTime(_holdingSince.Value, now) > ackWait * 3)
        {
            throw new NatsSessionRestartException($"acknowledgements of consumer {consumer} held back for over 3 x AckWait ({_floor.Awaiting}); starting over");
        }
    }
}
