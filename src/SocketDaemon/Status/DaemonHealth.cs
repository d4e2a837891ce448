using SocketDaemon.Listeners;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Status;

/// <summary>
/// Whether the daemon does its job: every listener accepts and the message log can be written. One answer for
/// <c>/healthz</c> and for the systemd watchdog, so they never disagree.
/// </summary>
public sealed class DaemonHealth(ListenerRegistry listeners, MessageLogFiles logs)
{
    /// <summary>Checks now; <paramref name="problem"/> says what is wrong when it is not healthy.</summary>
    public bool IsHealthy(out string? problem)
    {
        if (!listeners.Accepting)
        {
            problem = "the listeners are not accepting";
            return false;
        }

        return logs.IsWritable(out problem);
    }
}
