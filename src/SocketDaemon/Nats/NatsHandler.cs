using Microsoft.Extensions.Logging;
using SocketDaemon.Diagnostics;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Nats;

/// <summary>
/// The <c>Nats</c> pipeline step: publishes each message to JetStream, on the subject its template makes, with its
/// origin in headers and a <c>Nats-Msg-Id</c>. With <c>Acknowledge: nats</c> (the default) the message counts as
/// committed (<see cref="MessageContext.AddCommitment"/>) only once JetStream has stored it, so a native-protocol client is
/// acknowledged after NATS; with <c>local</c>, once the outbox has taken it.
/// </summary>
/// <remarks>
/// A message read in a batch (<see cref="MessageContext.BatchWrites"/>) is staged on its connection and the batch's
/// records go to the spool with one write when it ends (<see cref="NatsStaging"/>), its messages sharing one
/// commitment; any other is appended at once.
/// </remarks>
internal sealed partial class NatsHandler(NatsSpoolOutbox outbox, NatsSubjectTemplate subject, NatsPublishers publishers, bool awaitNats, ILogger logger)
{
    public async ValueTask InvokeAsync(MessageContext context)
    {
        var staging = NatsStaging.Of(context, this);
        var commitment = staging.Stage(context, subject.Render(context), publishers.Host, outbox.MaxRecordBytes);
        if (!context.BatchWrites)
        {
            await outbox.AppendAsync(staging.Records, staging.TakeCommitment(), awaitNats, CancellationToken.None);
        }

        context.AddCommitment(commitment);
    }

    /// <summary>Appends a batch's staged records when it ends; a failure fails the messages' shared commitment.</summary>
    internal async ValueTask AppendStagedAsync(NatsStaging staging)
    {
        var count = staging.Records.Count;
        try
        {
            await outbox.AppendAsync(staging.Records, staging.TakeCommitment(), awaitNats, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The native protocol refuses the batch's messages through their commitment; a framing without
            // acknowledgements learns of it only here.
            StagedRefused(logger, outbox.Spool, count, ex.Message);
        }
    }

    [LoggerMessage(EventIds.NatsStagedRefused, LogLevel.Warning, "Nats: spool {Spool}: {Count} messages of a batch were not spooled: {Reason}")]
    private static partial void StagedRefused(ILogger logger, string spool, int count, string reason);
}
