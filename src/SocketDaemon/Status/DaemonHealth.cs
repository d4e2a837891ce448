using SocketDaemon.Listeners;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Status;

/// <summary>
/// Two questions about the daemon. Is it healthy — every listener accepts and the message log can be written — for
/// <c>/healthz</c> and <c>STATUS=</c>. Is it alive — listeners accept and no log write hangs — for the systemd
/// watchdog, whose answer to a missed ping is a restart: that helps a hung process, while a full disk is still full
/// after a restart, and lines already wait safely in the spool meanwhile.
/// </summary>
public sealed class DaemonHealth(ListenerRegistry listeners, MessageLogFiles logs)
{
    /// <summary>
    /// Checks whether the daemon still works, however degraded: listeners accept and no log write has hung for longer
    /// than <paramref name="hungAfter"/>.
    /// </summary>
    public bool IsAlive(TimeSpan hungAfter, out string? problem)
    {
        if (!listeners.Accepting)
        {
            problem = "the listeners are not accepting";
            return false;
        }

        return logs.IsResponsive(hungAfter, out problem);
    }

    /// <summary>
    /// What outputs that write to a database say is wrong (set by the host): a database that cannot be written is
    /// unhealthy as a log that cannot be, though the messages wait in the spool meanwhile.
    /// </summary>
    internal Func<IEnumerable<string?>>? Outputs { get; init; }

    /// <summary>Checks now; <paramref name="problem"/> says what is wrong when it is not healthy.</summary>
    public bool IsHealthy(out string? problem)
    {
        if (!listeners.Accepting)
        {
            problem = "the listeners are not accepting";
            return false;
        }

        if (!logs.IsWritable(out problem))
        {
            return false;
        }

        problem = Outputs?.Invoke().FirstOrDefault(static p => p is not null);
        return problem is null;
    }
}
