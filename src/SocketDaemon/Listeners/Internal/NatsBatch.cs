using NATS.Client.Core;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Connections;
using SocketDaemon.Framing;
using SocketDaemon.Nats;
using SocketDaemon.Nats.Logged;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// One batch of a <c>nats://</c> listener's deliveries on its way through the pipeline as a unit: a context per sender
/// the edges named in the headers (the log's lines name it), each handing its lines to the log once, at the end of the
/// batch, with a claim of the stream sequences they hold (<see cref="NatsLoggedClaim"/>); and which messages are new.
/// </summary>
internal sealed class NatsBatch(ListenerContext listener, NatsLoggedJournal journal, NatsLoggedStream stream)
{
    // Senders remembered between batches; past this many they are all forgotten at the next batch.
    private const int MaxSenders = 256;

    private readonly Dictionary<NatsOriginValues, Sender> _senders = [];
    private readonly List<Sender> _used = [];
    private readonly List<NatsLoggedClaim> _claims = [];
    private readonly SequenceSet _taken = new();
    private Sender? _last;

    /// <summary>The claims the batch's lines carried to the log.</summary>
    public IReadOnlyList<NatsLoggedClaim> Claims => _claims;

    /// <summary>The stream sequences of the batch whose messages were logged and whose commitments held.</summary>
    public SequenceSet Committed { get; } = new();

    public void Begin()
    {
        foreach (var sender in _used)
        {
            sender.Sequences.Clear();
            sender.Claimed = 0;
            sender.InBatch = false;
        }

        _used.Clear();
        _claims.Clear();
        _taken.Clear();
        Committed.Clear();
        if (_senders.Count > MaxSenders)
        {
            _senders.Clear();
            _last = null;
        }
    }

    /// <summary>
    /// Whether the message of <paramref name="sequence"/> is to run: not logged before (the journal says), nor earlier
    /// in this batch (delivered again while the batch ran).
    /// </summary>
    public bool Take(ulong sequence)
    {
        if (sequence == 0)
        {
            return true;
        }

        if (_taken.Contains(sequence) || stream.Contains(sequence))
        {
            return false;
        }

        _taken.Add(sequence);
        return true;
    }

    /// <summary>
    /// The context of the sender <paramref name="key"/> (<see cref="NatsOriginHeaders.Read"/>) names, at its next
    /// message received as <paramref name="received"/> says.
    /// </summary>
    public Sender SenderOf(in NatsOriginValues key, string? received)
    {
        // Consecutive messages mostly come from one sender: compared with it before hashing seven strings.
        if (_last is { } last && last.Key == key)
        {
            return Next(last);
        }

        if (!_senders.TryGetValue(key, out var sender))
        {
            var peer = NatsOriginHeaders.PeerOf(key);
            sender = new Sender(key, new MessageContext(listener.Name, 0, peer, listener.Services) { Framing = FramingKind.Native, BatchWrites = true })
            {
                Origin = NatsOriginHeaders.OriginOf(key, received),
            };
            var progress = new LogProgress(position => ClaimOf(sender, (int)position + 1));
            sender.Context.Features.Set(progress);
            sender.Progress = progress;
            _senders[key] = sender;
        }

        _last = sender;
        return Next(sender);
    }

    private Sender Next(Sender sender)
    {
        if (!sender.InBatch)
        {
            sender.InBatch = true;
            sender.Progress!.Begin(0);
            _used.Add(sender);
        }

        // Lines handed over from here on (a full chunk) hold every message of the sender before this one.
        sender.Progress!.At(sender.Sequences.Count);
        return sender;
    }

    /// <summary>Hands every sender's lines to the log, each chunk with its claim.</summary>
    public async ValueTask FlushAsync()
    {
        foreach (var sender in _used)
        {
            sender.Progress!.At(sender.Sequences.Count);
            await sender.Context.FlushAsync();
        }
    }

    private NatsLoggedClaim? ClaimOf(Sender sender, int upTo)
    {
        if (upTo <= sender.Claimed)
        {
            return null;
        }

        var sequences = new SequenceSet();
        for (var i = sender.Claimed; i < upTo; i++)
        {
            if (sender.Sequences[i] != 0)
            {
                sequences.Add(sender.Sequences[i]);
            }
        }

        sender.Claimed = upTo;
        if (sequences.IsEmpty)
        {
            return null;
        }

        var claim = new NatsLoggedClaim(journal, stream, sequences);
        _claims.Add(claim);
        return claim;
    }

    /// <summary>A sender's context in the batches, and the stream sequences of its messages in this one.</summary>
    internal sealed class Sender(NatsOriginValues key, MessageContext context)
    {
        private string? _receivedText;
        private DateTimeOffset? _received;

        public NatsOriginValues Key { get; } = key;

        public MessageContext Context { get; } = context;

        public LogProgress? Progress { get; set; }

        /// <summary>
        /// Where the sender's messages first entered SocketDaemon, as the headers of its first one said: the same for
        /// each of its messages but the time, which <see cref="OriginAt"/> sets.
        /// </summary>
        public MessageOrigin? Origin { get; init; }

        /// <summary>When the sender's message was received, from its header: parsed again only when it changes.</summary>
        public DateTimeOffset? ReceivedOf(string? text)
        {
            if (!string.Equals(text, _receivedText, StringComparison.Ordinal))
            {
                _received = NatsOriginHeaders.ReceivedOf(text);
                _receivedText = text;
            }

            return _received;
        }

        /// <summary>The origin of the sender's message received at <paramref name="receivedAt"/>.</summary>
        public MessageOrigin? OriginAt(DateTimeOffset? receivedAt) =>
            Origin is null || receivedAt is not { } at ? null : Origin.ReceivedAt == at ? Origin : Origin with { ReceivedAt = at };

        /// <summary>The sequences of the sender's messages dispatched in this batch, in order.</summary>
        public List<ulong> Sequences { get; } = [];

        /// <summary>How many of <see cref="Sequences"/> a claim already covers.</summary>
        public int Claimed { get; set; }

        public bool InBatch { get; set; }
    }
}
