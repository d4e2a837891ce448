using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Nats.Logged;

/// <summary>
/// A chunk of an aggregator's lines that, once in the file, proves the messages of <see cref="Sequences"/> (stream
/// sequences of one stream and consumer) logged: JetStream's redelivery of any of them is acknowledged, not logged again.
/// </summary>
internal sealed class NatsLoggedClaim(NatsLoggedJournal journal, NatsLoggedStream stream, SequenceSet sequences)
    : LogClaim(journal, sequences.Ranges[^1].Last)
{
    /// <summary>The stream and consumer whose journal records the claim.</summary>
    public NatsLoggedStream Stream { get; } = stream;

    /// <summary>The stream sequences of the messages whose lines the chunk holds.</summary>
    public SequenceSet Sequences { get; } = sequences;
}
