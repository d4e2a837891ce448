namespace SocketDaemon.Protocols.Native;

/// <summary>One sender's session: the last message number it had logged here, and a gate so one batch runs at a time.</summary>
internal sealed class NativeSession(Guid id)
{
    /// <summary>The session id the sender chose.</summary>
    public Guid Id { get; } = id;

    /// <summary>Every message of the session numbered up to this is in the log.</summary>
    public ulong Logged { get; internal set; }

    /// <summary>
    /// Held while a batch of the session runs: a resend on a new connection waits for the old connection's batch to
    /// finish, and then sees what it logged.
    /// </summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    internal long LastUsed { get; set; }

    /// <summary>
    /// The settling of the session's last batch that runs on without holding the gate (a clean batch: nothing
    /// refused, no commitments); the next batch of the same connection that follows on from it need not wait for it.
    /// Guarded by <see cref="Gate"/>.
    /// </summary>
    internal Task Unsettled { get; set; } = Task.CompletedTask;

    /// <summary>The connection whose batch <see cref="Unsettled"/> is, and the number its next batch starts with.</summary>
    internal (object? Connection, ulong Next) FollowOn { get; set; }

    /// <summary>
    /// Claims the log writers recorded for the batch that runs now, settled by <see cref="NativeSessions.Advance"/>.
    /// Guarded by the <see cref="NativeSessions"/> lock.
    /// </summary>
    internal List<NativeSessionClaim> Claims { get; } = [];
}
