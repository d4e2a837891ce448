using System.Buffers;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Nats;

/// <summary>
/// The <c>Nats</c> pipeline step: publishes each message to JetStream, on the subject its template makes, with its
/// origin in headers and a <c>Nats-Msg-Id</c>. With <c>Acknowledge: nats</c> (the default) the message counts as
/// committed (<see cref="MessageContext.AddCommitment"/>) only once JetStream has stored it, so a native-protocol client is
/// acknowledged after NATS; with <c>local</c>, once the outbox has taken it.
/// </summary>
internal sealed class NatsHandler(INatsOutbox outbox, NatsSubjectTemplate subject, NatsPublishers publishers, bool awaitNats)
{
    public async ValueTask InvokeAsync(MessageContext context)
    {
        var completion = awaitNats ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        var message = new NatsOutgoing(
            subject.Render(context),
            context.Payload.ToArray(),
            NatsOriginHeaders.For(context, publishers.Host),
            publishers.NextMessageId(),
            completion);
        await outbox.EnqueueAsync(message, CancellationToken.None);
        if (completion is not null)
        {
            context.AddCommitment(completion.Task);
        }
    }
}
