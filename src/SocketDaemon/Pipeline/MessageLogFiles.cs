using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Core;
using SocketDaemon.Hosting;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Pipeline.Internal;

namespace SocketDaemon.Pipeline;

/// <summary>
/// The message log files, one Serilog logger per file, kept apart from the daemon's operational log.
/// Disposed with the host, after the listeners have drained, so every message read is flushed.
/// </summary>
public sealed class MessageLogFiles : IDisposable
{
    /// <summary>The message log file when a <c>Log</c> step names none.</summary>
    public const string DefaultPath = "messages.log";

    // Files closed by a reload stay open this long for messages still on their way through an old pipeline.
    private static readonly TimeSpan RetireDelay = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (Logger Logger, FlushableSink Sink)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Logger, FlushableSink> _retiring = new();
    private readonly string _directory;
    private readonly MessageDurability _durability;
    private readonly GroupCommit _fsync;

    /// <summary>Creates the set of files under the configured log directory.</summary>
    public MessageLogFiles(IOptions<SocketDaemonOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _directory = options.Value.LogDirectory ?? throw new InvalidOperationException("SocketDaemon:LogDirectory is not set.");
        _durability = options.Value.Durability;
        _fsync = new GroupCommit(FlushToDisk);
    }

    /// <summary>The logger that writes the file of <paramref name="step"/>; steps naming the same file share one.</summary>
    public Serilog.ILogger Open(PipelineStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var path = Path.GetFullPath(step.Path ?? DefaultPath, _directory);
        return _files.GetOrAdd(path, static (p, s) => Create(p, s), step).Logger;
    }

    /// <summary>
    /// Completes when every message written so far is as durable as <c>Durability</c> asks. Each message is
    /// handed to the kernel as it is written, so for <see cref="MessageDurability.Flush"/> that is already so.
    /// </summary>
    public Task CommitAsync() => _durability == MessageDurability.Fsync ? _fsync.CommitAsync() : Task.CompletedTask;

    /// <summary>Whether every message log file (or, before the first message, its directory) can be written now.</summary>
    public bool IsWritable(out string? problem)
    {
        foreach (var path in _files.Keys.DefaultIfEmpty(Path.GetFullPath(DefaultPath, _directory)))
        {
            try
            {
                // The file Serilog writes now (rolling puts the date before the extension), then the directory,
                // where the next file will be made.
                var directory = Path.GetDirectoryName(path)!;
                var pattern = Path.GetFileNameWithoutExtension(path) + "*" + Path.GetExtension(path);
                if (Directory.EnumerateFiles(directory, pattern).Max(StringComparer.Ordinal) is { } current)
                {
                    using var file = new FileStream(current, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                }

                var probe = Path.Combine(directory, $".socketdaemon-probe-{Environment.ProcessId}");
                using var created = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problem = $"{path}: {ex.Message}";
                return false;
            }
        }

        problem = null;
        return true;
    }

    /// <summary>
    /// Makes the next <see cref="Open"/> open each file anew, as logrotate's <c>postrotate</c> expects after it renamed
    /// them. The files in use are closed a little later, when messages already in the old pipeline have been written.
    /// </summary>
    public void Reopen()
    {
        foreach (var path in _files.Keys)
        {
            if (_files.TryRemove(path, out var file))
            {
                _retiring[file.Logger] = file.Sink;
                _ = Task.Delay(RetireDelay).ContinueWith(
                    _ =>
                    {
                        if (_retiring.TryRemove(file.Logger, out var __))
                        {
                            file.Logger.Dispose();
                        }
                    },
                    TaskScheduler.Default);
            }
        }
    }

    /// <summary>Flushes and closes every file.</summary>
    public void Dispose()
    {
        foreach (var logger in _retiring.Keys)
        {
            logger.Dispose();
        }

        _retiring.Clear();
        foreach (var (logger, _) in _files.Values)
        {
            logger.Dispose();
        }

        _files.Clear();
    }

    private void FlushToDisk()
    {
        foreach (var sink in _files.Values.Select(f => f.Sink).Concat(_retiring.Values))
        {
            sink.FlushToDisk();
        }
    }

    private static (Logger, FlushableSink) Create(string path, PipelineStepOptions step)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FlushableSink? flushable = null;
        var file = Serilog.Configuration.LoggerSinkConfiguration.Wrap(
            inner => flushable = new FlushableSink(inner),
            sinks => sinks.File(
                path,
                outputTemplate: step.OutputTemplate ?? LogHandler.DefaultOutputTemplate,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                fileSizeLimitBytes: step.FileSizeLimitBytes ?? 1L << 30,
                rollingInterval: RollingInterval.Day,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: step.RetainedFileCountLimit ?? 31));
        var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(file).CreateLogger();
        return (logger, flushable!);
    }
}
