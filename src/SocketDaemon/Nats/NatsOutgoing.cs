using NATS.Client.Core;

namespace SocketDaemon.Nats;

/// <summary>
/// One message on its way to JetStream: its subject, bytes, origin headers and its <c>Nats-Msg-Id</c>, fixed when it
/// was taken so that every retry carries the same one and JetStream stores it once.
/// </summary>
internal sealed class NatsOutgoing(string subject, byte[] data, NatsHeaders headers, string messageId, TaskCompletionSource? completion, ulong sequence = 0)
{
    public string Subject { get; } = subject;

    public byte[] Data { get; } = data;

    public NatsHeaders Headers { get; } = headers;

    public string MessageId { get; } = messageId;

    /// <summary>Completed when JetStream has acknowledged the message; <see langword="null"/> when nobody waits for it.</summary>
    public TaskCompletionSource? Completion { get; } = completion;

    /// <summary>The message's number in the spool it was read from; 0 when it comes from none.</summary>
    public ulong Sequence { get; } = sequence;
}
