using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Diagnostics;
using SocketDaemon.Listeners.Internal;
using SocketDaemon.Pipeline;
using SocketDaemon.Systemd;

namespace SocketDaemon.Hosting;

/// <summary>
/// SIGHUP (and so <c>systemctl reload</c> with <c>ExecReload=kill -HUP $MAINPID</c>, and logrotate's
/// <c>postrotate</c>) reopens the message log files and re-reads the configuration: the pipeline and the limits
/// take effect for the next message. A configuration that does not validate is refused and the running one stays.
/// Listeners need a restart to change.
/// </summary>
internal sealed partial class ReloadService(
    IConfiguration configuration,
    IOptionsFactory<SocketDaemonOptions> optionsFactory,
    IOptions<SocketDaemonOptions> running,
    MessagePipeline pipeline,
    MessageLogFiles logs,
    ListenerHostedService listeners,
    SystemdNotifier notifier,
    ILogger<ReloadService> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PosixSignalRegistration? _sighup;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                // SIGHUP's default is to end the process; here it means "reload".
                context.Cancel = true;
                _ = ReloadAsync();
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Reloads; returns whether the new configuration was taken.</summary>
    public async Task<bool> ReloadAsync()
    {
        await _gate.WaitAsync();
        try
        {
            // CLOCK_MONOTONIC in µs, as sd_notify(3) wants it; the product in 128 bits, since nanoseconds times a million
            // overflows a long after a few hours of uptime (and systemd would take the negative number as garbage).
            var monotonic = (long)((Int128)Stopwatch.GetTimestamp() * 1_000_000 / Stopwatch.Frequency);
            notifier.Notify(string.Create(CultureInfo.InvariantCulture, $"RELOADING=1\nMONOTONIC_USEC={monotonic}\nSTATUS=Reloading"));

            // logrotate renames the files and sends SIGHUP whatever the configuration holds: reopen them first.
            logs.ReopenWriters();
            try
            {
                // Each source re-reads its file, the environment or the command line.
                foreach (var provider in (configuration as IConfigurationRoot)?.Providers ?? [])
                {
                    provider.Load();
                }

                var fresh = optionsFactory.Create(Options.DefaultName);
                logs.Reopen();
                pipeline.Rebuild(fresh.PipelinePart());
                listeners.ApplyLimits(fresh.ListenerPart());
                if (!SameListeners(fresh, running.Value))
                {
                    ListenersNeedRestart(logger);
                }

                Reloaded(logger);
                return true;
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the daemon goes on with what it was running.
                Rejected(logger, Describe(ex));
                return false;
            }
            finally
            {
                notifier.Notify("READY=1\nSTATUS=Running");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _sighup?.Dispose();
        _gate.Dispose();
    }

    // Validation failures may come wrapped (the options factory aggregates them); say each one, as start-up does.
    private static string Describe(Exception exception) => exception switch
    {
        OptionsValidationException validation => string.Join("; ", validation.Failures),
        AggregateException aggregate => string.Join("; ", aggregate.Flatten().InnerExceptions.Select(Describe)),
        _ => exception.Message,
    };

    private static bool SameListeners(SocketDaemonOptions fresh, SocketDaemonOptions current) =>
        fresh.Listeners.Count == current.Listeners.Count
        && fresh.Listeners.All(l => current.Listeners.TryGetValue(l.Key, out var c) && c.Endpoint == l.Value.Endpoint && c.Enabled == l.Value.Enabled);

    [LoggerMessage(EventIds.Reloaded, LogLevel.Information, "Reloaded: log files reopened, pipeline and limits re-read")]
    private static partial void Reloaded(ILogger logger);

    [LoggerMessage(EventIds.ReloadRejected, LogLevel.Error, "Reload refused, the running configuration stays: {Reason}")]
    private static partial void Rejected(ILogger logger, string reason);

    [LoggerMessage(EventIds.ReloadListenersNeedRestart, LogLevel.Warning, "Reload: the listeners changed; they take effect at the next restart")]
    private static partial void ListenersNeedRestart(ILogger logger);
}
