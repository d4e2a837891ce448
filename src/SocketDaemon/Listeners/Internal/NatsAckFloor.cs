using System.Diagnostics.CodeAnalysis;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// Which delivery a <c>nats://</c> listener with <c>AckPolicy: All</c> acknowledges after a batch, if any. JetStream
/// takes an acknowledgement of stream sequence S for every message it holds pending at or below S: those asked for
/// again (NAK), and those delivered to an earlier run or lost on the way. So S is acknowledged only when each of them
/// is committed (logged, or found in the journal). Works on stream sequences, consumer (delivery) sequences and a
/// handle of each delivery, <typeparamref name="T"/>; one instance per consume session (<see cref="Start"/>).
/// </summary>
/// <remarks>
/// <para>
/// Unresolved: a sequence delivered in this session and not committed (refused, failed, a second copy in one
/// batch). No acknowledgement covers it until a later delivery of it is committed. Committed deliveries above it
/// wait, the highest of each stretch kept for later.
/// </para>
/// <para>
/// Before the session: the consumer's info at its start (read before the session asks for messages) says the ack
/// floor F and how many deliveries wait for an acknowledgement, P0. Under <c>All</c> every delivered sequence above F
/// is pending, so those P0 are sequences above F this session has not seen. A filter subject leaves holes between
/// them, and the info's last delivered stream sequence is no bound (nats-server 2.9 reports it below pending ones when
/// <c>MaxAckPending</c> stops it), so they cannot be listed, only counted. A redelivery (delivery count above 1) in
/// this session of a sequence above F that this session did not deliver first can only be one of them: nothing else
/// is pending to come again. So once P0 such distinct sequences were committed in this session, every one of them is.
/// Until then nothing is acknowledged.
/// </para>
/// <para>
/// Lost on the way: each delivery has the next consumer sequence (redeliveries too). A jump means deliveries this
/// session never saw (a reconnect lost them, or another reader took them). They are pending, and their sequences are
/// unknown, so nothing more is acknowledged (<see cref="Missed"/>): the listener starts a new session, whose start
/// counts them among P0.
/// </para>
/// </remarks>
internal sealed class NatsAckFloor<T>
    where T : class
{
    // Sequences delivered in this session and not committed. Rare: a sorted set is enough.
    private readonly SortedSet<ulong> _unresolved = [];

    // Committed deliveries above the last acknowledgement, by stream sequence, in order.
    private readonly List<(ulong Sequence, ulong Delivery, T Message)> _waiting = [];

    // While fewer than P0: the sequences pending before the session committed in it, and those it delivered first.
    private readonly HashSet<ulong> _before = [];
    private readonly HashSet<ulong> _firstHere = [];
    private ulong _floor;
    private long _pendingBefore;

    // The stream and consumer sequences last acknowledged (or the session's starting floor); the consumer sequence the
    // next delivery has.
    private ulong _acknowledged;
    private ulong _acknowledgedDelivery;
    private ulong _nextDelivery;

    /// <summary>
    /// Whether the message of <paramref name="sequence"/> is settled: at or below an acknowledgement sent (or the
    /// session's starting floor), which covered only committed messages. A copy of it is not to be logged again.
    /// </summary>
    public bool Covers(ulong sequence) => sequence != 0 && sequence <= _acknowledged;

    /// <summary>Whether a delivery was missed: nothing is acknowledged any more; the session must start again.</summary>
    public bool Missed { get; private set; }

    /// <summary>The consumer sequence expected next and the one that came, when <see cref="Missed"/>.</summary>
    public (ulong Expected, ulong Came) MissedAt { get; private set; }

    /// <summary>Whether committed deliveries wait for an acknowledgement that is not safe yet.</summary>
    public bool Holding => _waiting.Count > 0;

    /// <summary>What the session waits for, in words, for a log line.</summary>
    public string Awaiting => AwaitingEarlier
        ? $"{_pendingBefore - _before.Count} of the {_pendingBefore} messages pending at its start (ack floor {_floor}) did not come again"
        : _unresolved.Count > 0 ? $"{_unresolved.Count} messages asked for again, the first {_unresolved.Min}, were not logged" : "nothing";

    /// <summary>Whether the messages pending before the session are still awaited.</summary>
    public bool AwaitingEarlier => _pendingBefore > _before.Count;

    /// <summary>
    /// Starts a session from the consumer's state before it asks for messages: its acknowledgement floor (stream and
    /// consumer sequences), the last consumer sequence delivered, and how many deliveries await acknowledgement.
    /// </summary>
    public void Start(ulong ackFloor, ulong ackFloorDelivery, ulong deliveredConsumer, long pending)
    {
        _unresolved.Clear();
        _waiting.Clear();
        _before.Clear();
        _firstHere.Clear();
        _floor = ackFloor;
        _pendingBefore = pending;
        _acknowledged = ackFloor;
        _acknowledgedDelivery = ackFloorDelivery;
        _nextDelivery = deliveredConsumer + 1;
        Missed = false;
        MissedAt = default;
    }

    /// <summary>
    /// One delivery of the batch, in the order they came: its stream sequence, its consumer sequence, whether it is a
    /// redelivery (delivery count above 1), whether it was committed, and its handle (acknowledged by
    /// <see cref="TryTake"/> for it and everything below).
    /// </summary>
    public void Add(ulong sequence, ulong delivery, bool redelivered, bool committed, T message)
    {
        if (delivery != _nextDelivery || sequence == 0)
        {
            if (!Missed)
            {
                Missed = true;
                MissedAt = (_nextDelivery, delivery);
            }
        }

        _nextDelivery = delivery + 1;
        if (!redelivered && AwaitingEarlier)
        {
            _firstHere.Add(sequence);
        }

        if (sequence <= _acknowledged)
        {
            // Already acknowledged (a copy fetched before the acknowledgement went): settled. One pending at the
            // session's start at or below its floor (nats-server 2.9 can keep such an entry after an acknowledgement
            // covered it, and delivers it again and again) is one of those the session waits for.
            if (redelivered && AwaitingEarlier && sequence <= _floor && !_firstHere.Contains(sequence))
            {
                _before.Add(sequence);
            }

            return;
        }

        if (!committed)
        {
            _unresolved.Add(sequence);
            return;
        }

        if (_unresolved.Count > 0)
        {
            _unresolved.Remove(sequence);
        }

        if (redelivered && AwaitingEarlier && sequence > _floor && !_firstHere.Contains(sequence))
        {
            _before.Add(sequence);
        }

        if (_waiting.Count == 0 || sequence > _waiting[^1].Sequence)
        {
            _waiting.Add((sequence, delivery, message));
            return;
        }

        // A redelivery: its newer handle replaces an older copy's.
        var at = _waiting.BinarySearch((sequence, delivery, message), ComparerBySequence.Instance);
        if (at >= 0)
        {
            _waiting[at] = (sequence, delivery, message);
        }
        else
        {
            _waiting.Insert(~at, (sequence, delivery, message));
        }
    }

    /// <summary>
    /// After a batch: the committed delivery with the highest stream sequence whose acknowledgement covers only
    /// committed messages, if there is one above the last acknowledged; taken as acknowledged.
    /// </summary>
    public bool TryTake([NotNullWhen(true)] out T? message)
    {
        message = null;
        if (Missed || AwaitingEarlier || _waiting.Count == 0)
        {
            return false;
        }

        var limit = _unresolved.Count == 0 ? ulong.MaxValue : _unresolved.Min - 1;
        var last = _waiting.Count - 1;
        if (_waiting[last].Sequence > limit)
        {
            last = _waiting.BinarySearch((limit, 0, null!), ComparerBySequence.Instance);
            last = last >= 0 ? last : ~last - 1;
        }

        // JetStream ignores an acknowledgement of a delivery older than the last one it took (by consumer sequence):
        // a copy delivered before that waits for a later one, or for its next copy after AckWait.
        while (last >= 0 && _waiting[last].Delivery <= _acknowledgedDelivery)
        {
            last--;
        }

        if (last < 0)
        {
            return false;
        }

        (_acknowledged, _acknowledgedDelivery, message) = _waiting[last];
        _waiting.RemoveRange(0, last + 1);
        return true;
    }

    private sealed class ComparerBySequence : IComparer<(ulong Sequence, ulong Delivery, T Message)>
    {
        public static readonly ComparerBySequence Instance = new();

        public int Compare((ulong Sequence, ulong Delivery, T Message) x, (ulong Sequence, ulong Delivery, T Message) y) => x.Sequence.CompareTo(y.Sequence);
    }
}
