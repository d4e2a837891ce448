using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.SocketDaemon;
using SocketDaemon.Client;

namespace Serilog;

/// <summary>Adds <c>WriteTo.SocketDaemon()</c> to the logger configuration.</summary>
public static class SocketDaemonLoggerConfigurationExtensions
{
    /// <summary>
    /// Sends every event to SocketDaemon as an RFC 5424 message, in batches the daemon acknowledges; with
    /// <paramref name="spool"/>, through a durable disk spool so that nothing is lost while the daemon restarts.
    /// </summary>
    /// <param name="sinkConfiguration">The sink configuration.</param>
    /// <param name="endpoint">Where the daemon listens: <c>unix:/path</c>, <c>tcp://host:port</c> or <c>tls://host:port</c>.</param>
    /// <param name="spool">A directory for the durable spool; none when <see langword="null"/>.</param>
    /// <param name="appName">The APP-NAME of the messages; the entry assembly's name when <see langword="null"/>.</param>
    /// <param name="facility">The syslog facility (1 is user-level).</param>
    /// <param name="batchSizeLimit">How many events a batch holds at most.</param>
    /// <param name="queueLimit">How many events may wait in memory; past it Serilog drops new ones.</param>
    /// <param name="flushTimeout">How long closing the logger may take to deliver what is queued.</param>
    /// <param name="restrictedToMinimumLevel">The lowest level sent.</param>
    /// <param name="levelSwitch">A switch that changes the lowest level at run time.</param>
    /// <returns>The logger configuration, to go on with.</returns>
    /// <example><code>Log.Logger = new LoggerConfiguration().WriteTo.SocketDaemon("unix:/run/socketdaemon/socketdaemon.sock").CreateLogger();</code></example>
    public static LoggerConfiguration SocketDaemon(
        this LoggerSinkConfiguration sinkConfiguration,
        string? endpoint = null,
        string? spool = null,
        string? appName = null,
        int facility = 1,
        int batchSizeLimit = 1000,
        int queueLimit = 100_000,
        TimeSpan? flushTimeout = null,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        LoggingLevelSwitch? levelSwitch = null)
    {
        ArgumentNullException.ThrowIfNull(sinkConfiguration);
        var sink = new SocketDaemonSink(
            SocketEndpoint.Parse(endpoint ?? SocketDaemonDefaults.ClientEndpoint),
            new SocketDaemonClientOptions { Reconnect = true, BatchMessages = batchSizeLimit, Spool = spool },
            new SocketDaemonSink.EntryFormat(facility, Environment.MachineName, appName ?? System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "-", Environment.ProcessId),
            flushTimeout ?? TimeSpan.FromSeconds(5));
        var batching = new BatchingOptions
        {
            BatchSizeLimit = batchSizeLimit,
            QueueLimit = queueLimit,
            BufferingTimeLimit = TimeSpan.FromMilliseconds(100),
            EagerlyEmitFirstEvent = true,
        };
        return sinkConfiguration.Sink(sink, batching, restrictedToMinimumLevel, levelSwitch);
    }
}
