using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Protocols.Native;

/// <summary>
/// The acknowledgement of one batch while it waits its turn: what the pipeline took and refused, and what must finish
/// (the log's commit, handlers' commitments) before it may go out.
/// </summary>
internal sealed class BatchReply(ulong sequence)
{
    /// <summary>The number of the batch's first message.</summary>
    public ulong Sequence { get; } = sequence;

    /// <summary>How many messages the acknowledgement says were taken; settling takes off those whose commitment failed.</summary>
    public int Accepted { get; set; }

    /// <summary>The messages refused, by index in the batch, in order once settled.</summary>
    public List<(int Index, NativeErrorCode Code)> Errors { get; } = [];

    /// <summary>
    /// What handlers added for the batch's messages (<see cref="Pipeline.MessageContext.AddCommitment"/>), as runs of
    /// consecutive messages that share one (a spooling step's staged batch): one entry, not one per message.
    /// </summary>
    public List<(int First, int Last, Task Commitment)> Commitments { get; } = [];

    /// <summary>Adds message <paramref name="index"/>'s commitment, to the last run when it is that run's and follows it.</summary>
    public void AddCommitment(int index, Task commitment)
    {
        if (Commitments.Count > 0 && Commitments[^1] is var (first, last, shared) && ReferenceEquals(shared, commitment) && last == index - 1)
        {
            Commitments[^1] = (first, index, shared);
            return;
        }

        Commitments.Add((index, index, commitment));
    }

    /// <summary>Completes when the acknowledgement may be written; faults when the batch cannot be acknowledged at all.</summary>
    public Task Settled { get; set; } = Task.CompletedTask;
}
