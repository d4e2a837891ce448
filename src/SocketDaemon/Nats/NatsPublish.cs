using System.Globalization;

namespace SocketDaemon.Nats;

/// <summary>
/// One message in a <see cref="NatsPublisher"/>, queued or awaiting JetStream's answer: its payload a slice of the run
/// of spool records it was read with, its subject and origin headers shared with the records before it that had the
/// same. Its <c>Nats-Msg-Id</c> and reply subject are formatted at each send and not kept, so that thousands waiting
/// cost the collector one small object each.
/// </summary>
internal sealed class NatsPublish(string subject, ReadOnlyMemory<byte> data, NatsHeaderBlock headers, string idPrefix, ulong sequence, TaskCompletionSource? completion)
{
    public string Subject { get; } = subject;

    public ReadOnlyMemory<byte> Data { get; } = data;

    /// <summary>The origin headers, without the message id.</summary>
    public NatsHeaderBlock Headers { get; } = headers;

    /// <summary>Completed when JetStream has stored the message; <see langword="null"/> when nobody waits for it.</summary>
    public TaskCompletionSource? Completion { get; } = completion;

    /// <summary>The message's number in the spool it was read from; 0 when it comes from none.</summary>
    public ulong Sequence { get; } = sequence;

    /// <summary>The publisher's number for it, the last token of its reply subject.</summary>
    public long Id { get; set; }

    /// <summary>When (<see cref="Environment.TickCount64"/>) it is sent again unless answered before.</summary>
    public long Due { get; set; }

    /// <summary>How long it waits before its next resend after a refusal; doubles up to 5 seconds.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Its <c>Nats-Msg-Id</c>: the spool's id and the record's number, the same at every send and after a restart;
    /// or, for a message from no spool, the id it was given.
    /// </summary>
    public string MessageId() =>
        Sequence == 0 ? idPrefix : string.Create(CultureInfo.InvariantCulture, $"{idPrefix}-{Sequence}");
}
