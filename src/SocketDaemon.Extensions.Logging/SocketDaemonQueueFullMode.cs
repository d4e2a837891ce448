namespace SocketDaemon.Extensions.Logging;

/// <summary>What happens to a log entry when the in-memory queue is full (the daemon is slow or away).</summary>
public enum SocketDaemonQueueFullMode
{
    /// <summary>The oldest queued entry is dropped to make room for the new one.</summary>
    DropOldest,

    /// <summary>The new entry is dropped; what is queued is kept.</summary>
    DropNewest,
}
