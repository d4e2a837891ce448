namespace SocketDaemon.Pipeline;

/// <summary>
/// A feature that keeps something for the messages of one batch (a read, a native batch) and hands it on when the batch
/// ends: <see cref="MessageContext.FlushAsync"/> calls it.
/// </summary>
public interface IMessageBatchFeature
{
    /// <summary>Hands on what was kept for <paramref name="context"/>'s batch.</summary>
    ValueTask FlushAsync(MessageContext context);
}
