using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Core;
using SocketDaemon.Hosting;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.Pipeline;

/// <summary>
/// The message log files, one Serilog logger per file, kept apart from the daemon's operational log.
/// Disposed with the host, after the listeners have drained, so every message read is flushed.
/// </summary>
public sealed class MessageLogFiles : IDisposable
{
    /// <summary>The message log file when a <c>Log</c> step names none.</summary>
    public const string DefaultPath = "messages.log";

    private readonly ConcurrentDictionary<string, Logger> _loggers = new(StringComparer.Ordinal);
    private readonly string _directory;

    /// <summary>Creates the set of files under the configured log directory.</summary>
    public MessageLogFiles(IOptions<SocketDaemonOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _directory = options.Value.LogDirectory ?? throw new InvalidOperationException("SocketDaemon:LogDirectory is not set.");
    }

    /// <summary>The logger that writes the file of <paramref name="step"/>; steps naming the same file share one.</summary>
    public Serilog.ILogger Open(PipelineStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var path = Path.GetFullPath(step.Path ?? DefaultPath, _directory);
        return _loggers.GetOrAdd(path, static (p, s) => Create(p, s), step);
    }

    /// <summary>Flushes and closes every file.</summary>
    public void Dispose()
    {
        foreach (var logger in _loggers.Values)
        {
            logger.Dispose();
        }

        _loggers.Clear();
    }

    private static Logger Create(string path, PipelineStepOptions step)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.File(
                path,
                outputTemplate: step.OutputTemplate ?? LogHandler.DefaultOutputTemplate,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                fileSizeLimitBytes: step.FileSizeLimitBytes ?? 1L << 30,
                rollingInterval: RollingInterval.Day,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: step.RetainedFileCountLimit ?? 31)
            .CreateLogger();
    }
}
