namespace SocketDaemon.Nats;

/// <summary>
/// Where a <c>Nats</c> step leaves a message until JetStream has acknowledged it. The one there now holds them in
/// bounded memory and retries; an on-disk spool can take its place, so that what waits for NATS survives a restart.
/// </summary>
internal interface INatsOutbox : IAsyncDisposable
{
    /// <summary>
    /// Takes <paramref name="message"/>; waits while the outbox is full. Its <see cref="NatsOutgoing.Completion"/>,
    /// if any, completes when JetStream has stored it.
    /// </summary>
    ValueTask EnqueueAsync(NatsOutgoing message, CancellationToken cancellationToken);

    /// <summary>Messages taken and not yet acknowledged by JetStream.</summary>
    long Pending { get; }

    /// <summary>Where the messages wait (a spool directory), or empty when they wait in memory.</summary>
    string Spool { get; }

    /// <summary>The size of the spool's files; 0 in memory.</summary>
    long SpoolBytes { get; }

    /// <summary>Waits, at most <paramref name="timeout"/>, for everything taken to be acknowledged, then stops.</summary>
    Task StopAsync(TimeSpan timeout);
}
