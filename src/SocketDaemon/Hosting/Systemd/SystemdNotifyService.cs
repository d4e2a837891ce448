using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SocketDaemon.Diagnostics;
using SocketDaemon.Listeners;
using SocketDaemon.Status;
using SocketDaemon.Systemd;

namespace SocketDaemon.Hosting.Systemd;

/// <summary>
/// Keeps the service manager informed: <c>READY=1</c> once every listener accepts and the log is open,
/// <c>STATUS=</c> with live counts (or what is unhealthy) every few seconds, <c>WATCHDOG=1</c> while the daemon is
/// alive (so one whose listeners broke or whose log write hangs stops petting the watchdog and gets restarted, while
/// one riding out a full disk on its spool is not restarted over and over), and <c>STOPPING=1</c> at the stop.
/// </summary>
internal sealed partial class SystemdNotifyService(
    SystemdNotifier notifier,
    IHostApplicationLifetime lifetime,
    DaemonStatusProvider status,
    ListenerRegistry listeners,
    DaemonHealth health,
    ILogger<SystemdNotifyService> logger) : BackgroundService
{
    /// <summary>How often <c>STATUS=</c> is refreshed when the watchdog does not ask for more.</summary>
    internal static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long one log write may take before <c>STATUS=</c> calls it hung, when there is no watchdog to go by.</summary>
    internal static readonly TimeSpan HungAfter = TimeSpan.FromSeconds(30);

    private long _lastMessages;
    private DateTime _lastTick = DateTime.UtcNow;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (notifier.IsEnabled)
        {
            // Hosted services start in order, so ApplicationStarted comes after every listener is bound.
            lifetime.ApplicationStarted.Register(() => notifier.Notify($"READY=1\nMAINPID={Environment.ProcessId}\nSTATUS={Summary()}"));
            lifetime.ApplicationStopping.Register(() => notifier.Notify("STOPPING=1\nSTATUS=Stopping: finishing the frames in flight"));
            if (notifier.WatchdogInterval is { } watchdog)
            {
                WatchdogEnabled(logger, watchdog.TotalSeconds);
            }
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }

        // sd_watchdog_enabled(3) advises pinging at half the interval.
        var period = notifier.WatchdogInterval is { } watchdog && watchdog / 2 < StatusInterval ? watchdog / 2 : StatusInterval;
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var alive = health.IsAlive(notifier.WatchdogInterval / 2 ?? HungAfter, out var hung);
                var state = !alive ? $"STATUS=Not responding: {hung}"
                    : health.IsHealthy(out var problem) ? $"STATUS={Summary()}"
                    : $"STATUS=Unhealthy: {problem}";
                notifier.Notify(alive && notifier.WatchdogInterval is not null ? "WATCHDOG=1\n" + state : state);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string Summary()
    {
        var now = DateTime.UtcNow;
        var messages = listeners.Listeners.Sum(l => l.Messages);
        var open = listeners.Listeners.Sum(l => l.OpenConnections);
        var seconds = Math.Max((now - _lastTick).TotalSeconds, 0.001);
        var rate = (messages - _lastMessages) / seconds;
        _lastMessages = messages;
        _lastTick = now;
        return string.Create(CultureInfo.InvariantCulture, $"{listeners.Listeners.Count} listeners, {open} connections, {messages} messages, {rate:0} msg/s; up {status.Uptime:d\\.hh\\:mm\\:ss}");
    }

    [LoggerMessage(EventIds.WatchdogEnabled, LogLevel.Information, "systemd watchdog is on: WATCHDOG=1 every {Seconds} s at most, while listeners accept and no log write hangs")]
    private static partial void WatchdogEnabled(ILogger logger, double seconds);
}
