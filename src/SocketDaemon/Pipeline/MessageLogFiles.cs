using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Core;
using SocketDaemon.Configuration;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Pipeline.Internal;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline;

/// <summary>
/// The message log files, kept apart from the daemon's operational log: one <see cref="MessageLogWriter"/> per file
/// (the fast path of <c>Log</c> steps), or one Serilog logger per file for steps with their own <c>OutputTemplate</c>.
/// Disposed with the host, after the listeners have drained, so every message read is written.
/// </summary>
public sealed class MessageLogFiles : IDisposable
{
    /// <summary>The message log file when a <c>Log</c> step names none.</summary>
    public const string DefaultPath = "messages.log";

    /// <summary>The size at which a file rolls over when a step sets no <c>FileSizeLimitBytes</c>: 1 GiB.</summary>
    public const long DefaultFileSizeLimitBytes = 1L << 30;

    /// <summary>How many files are kept when a step sets no <c>RetainedFileCountLimit</c>.</summary>
    public const int DefaultRetainedFileCount = 31;

    // Files closed by a reload stay open this long for messages still on their way through an old pipeline.
    private static readonly TimeSpan RetireDelay = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, MessageLogWriter> _writers = new(StringComparer.Ordinal);
    private readonly Lock _writersLock = new();

    // The writers as an array, for what runs per batch (commits, the pressure check): ConcurrentDictionary.Values
    // takes every lock of the dictionary and copies it each time.
    private volatile MessageLogWriter[] _writerList = [];
    private readonly ConcurrentDictionary<string, (Logger Logger, FlushableSink Sink)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Logger, FlushableSink> _retiring = new();

    // The file sets of templated steps (Path with {AppName}, ...), by their Path, as an array for what runs per batch.
    private readonly ConcurrentDictionary<string, DynamicLogFiles> _dynamic = new(StringComparer.Ordinal);
    private volatile DynamicLogFiles[] _dynamicList = [];
    private readonly string _directory;
    private readonly MessageDurability _durability;
    private readonly LogFileOptions _fileOptions;
    private readonly string _spoolDirectory;
    private readonly GroupCommit _fsync;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;

    /// <summary>
    /// Creates the set of files under the configured log directory, once <paramref name="journals"/> (the native
    /// sessions) have settled what a killed run left in them.
    /// </summary>
    public MessageLogFiles(IOptions<SharedSettings> options, IOptions<LogFileOptions> files, ILogger<MessageLogFiles> logger, IEnumerable<ILogClaimJournal> journals)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(journals);
        foreach (var journal in journals)
        {
            journal.RecoverFiles();
        }

        _logger = logger;
        _directory = options.Value.LogDirectory ?? throw new InvalidOperationException("SocketDaemon:LogDirectory is not set.");
        _durability = options.Value.Durability;
        _fileOptions = files.Value;
        _spoolDirectory = Path.Combine(DefaultLocations.StateDirectory(options.Value), "spool", "log");
        _fsync = new GroupCommit(FlushToDisk);
    }

    /// <summary>
    /// The writer of the file of <paramref name="step"/>, a step without an <c>OutputTemplate</c>; steps naming the
    /// same file share one, and the last one opened sets its rolling limits (a reload).
    /// </summary>
    public MessageLogWriter OpenWriter(LogStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var path = Path.GetFullPath(step.Path ?? DefaultPath, _directory);
        var writer = _writers.GetOrAdd(path, static (p, self) => new MessageLogWriter(p, self._durability, self._logger, self.SpoolDirectoryOf(p), self._fileOptions), this);
        lock (_writersLock)
        {
            if (Array.IndexOf(_writerList, writer) < 0)
            {
                _writerList = [.. _writerList, writer];
            }
        }

        writer.Configure(step.FileSizeLimitBytes ?? DefaultFileSizeLimitBytes, step.RetainedFileCountLimit ?? DefaultRetainedFileCount);
        return writer;
    }

    /// <summary>
    /// The files of <paramref name="step"/>, a step whose <c>Path</c> names message properties; steps with the same
    /// <c>Path</c> share them, and the last one opened sets their limits (a reload). Their lines wait in their writers'
    /// queues alone while a file cannot be written: a spool per generated name would outlive the names.
    /// </summary>
    public DynamicLogFiles OpenDynamic(LogStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var files = _dynamic.GetOrAdd(
            step.Path!,
            static (path, self) => new DynamicLogFiles(
                LogPathTemplate.TryParse(path, out var template, out var error) ? template! : throw new InvalidOperationException(error),
                self._directory,
                p => new MessageLogWriter(p, self._durability, self._logger, spoolDirectory: null, self._fileOptions)),
            this);
        lock (_writersLock)
        {
            if (Array.IndexOf(_dynamicList, files) < 0)
            {
                _dynamicList = [.. _dynamicList, files];
            }
        }

        files.Configure(
            step.FileSizeLimitBytes ?? DefaultFileSizeLimitBytes,
            step.RetainedFileCountLimit ?? DefaultRetainedFileCount,
            step.MaxOpenFiles ?? DynamicLogFiles.DefaultMaxOpenFiles);
        return files;
    }

    /// <summary>
    /// Where the lines of the log file <paramref name="path"/> wait while it cannot be written: a directory named after
    /// the whole path under <c>StateDirectory</c>/spool/log, so two files of the same name never share one.
    /// </summary>
    public string SpoolDirectoryOf(string path) => Path.Combine(_spoolDirectory, Uri.EscapeDataString(path));

    /// <summary>The Serilog logger that writes the file of <paramref name="step"/>, a step with its own <c>OutputTemplate</c>.</summary>
    public Serilog.ILogger Open(LogStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var path = Path.GetFullPath(step.Path ?? DefaultPath, _directory);
        return _files.GetOrAdd(path, static (p, s) => Create(p, s), step).Logger;
    }

    /// <summary>
    /// Whether a writer's queue is full or its file cannot be written: the next message would wait in memory for the
    /// disk (a cheap signal for <c>Busy</c> replies).
    /// </summary>
    public bool IsUnderPressure
    {
        get
        {
            foreach (var writer in _writerList)
            {
                if (writer.IsFull || writer.Fault is not null)
                {
                    return true;
                }
            }

            foreach (var files in _dynamicList)
            {
                foreach (var writer in files.Writers)
                {
                    if (writer.IsFull || writer.Fault is not null)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Completes when every message handed to the log so far is as durable as <c>Durability</c> asks: written to the
    /// kernel, or fsynced. Messages a connection still holds (<see cref="MessageContext.BatchWrites"/>) are not
    /// covered: flush its context first.
    /// </summary>
    public Task CommitAsync()
    {
        var serilog = _durability == MessageDurability.Fsync && !_files.IsEmpty ? _fsync.CommitAsync() : Task.CompletedTask;
        var writers = _writerList;
        var dynamic = _dynamicList;
        if (dynamic.Length > 0)
        {
            return Task.WhenAll(writers.Select(w => w.CommitAsync()).Concat(dynamic.Select(d => d.CommitAsync())).Append(serilog));
        }

        if (writers.Length == 0)
        {
            return serilog;
        }

        if (writers.Length == 1 && _files.IsEmpty)
        {
            return writers[0].CommitAsync();
        }

        return Task.WhenAll(writers.Select(w => w.CommitAsync()).Append(serilog));
    }

    /// <summary>
    /// Whether every message log writer is responsive: none has been inside one write or fsync for longer than
    /// <paramref name="limit"/>. A writer retrying a failing file is responsive (its lines wait in the spool or the queue).
    /// </summary>
    public bool IsResponsive(TimeSpan limit, out string? problem)
    {
        foreach (var writer in _writerList.Concat(_dynamicList.SelectMany(static d => d.Writers)))
        {
            if (writer.WriteUnderWayFor is var underWay && underWay > limit)
            {
                problem = $"{writer.Path}: one write has not returned for {underWay.TotalSeconds:0} s";
                return false;
            }
        }

        problem = null;
        return true;
    }

    /// <summary>
    /// Whether every message log file can be written now, asking what each writer needs rather than making files: a
    /// writer whose file is open and named needs nothing more (its writes report faults); one with no file open, or
    /// whose file was deleted, needs to open or create its file by name.
    /// </summary>
    public bool IsWritable(out string? problem)
    {
        // A templated step's files: only a failing one counts; one not open yet is made when its first message comes.
        foreach (var writer in _dynamicList.SelectMany(static d => d.Writers))
        {
            if (writer.Fault is { } dynamicFault)
            {
                problem = $"{writer.Path}: {dynamicFault}";
                return false;
            }
        }

        foreach (var writer in _writerList)
        {
            if (writer.Fault is { } fault)
            {
                problem = $"{writer.Path}: {fault}";
                return false;
            }

            if (writer.OpenFile is null || writer.FileDeleted)
            {
                // The file it would continue, else the directory it would create one in.
                var existing = writer.FileDeleted ? null : writer.CurrentFile;
                if (existing is not null && File.Exists(existing))
                {
                    if (!LogDirectoryAccess.CanWrite(existing))
                    {
                        problem = $"{existing}: the file cannot be written";
                        return false;
                    }
                }
                else if (!LogDirectoryAccess.CanCreateIn(Path.GetDirectoryName(writer.Path)!, out problem))
                {
                    return false;
                }
            }
        }

        var serilog = _files.Keys.ToList();
        if (serilog.Count == 0 && _writerList.Length == 0 && _dynamicList.Length == 0)
        {
            serilog.Add(Path.GetFullPath(DefaultPath, _directory));
        }

        foreach (var path in serilog)
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

    /// <summary>How many times each writer's file was opened anew, by file and reason (<c>deleted</c>, <c>signal</c>).</summary>
    public IEnumerable<(string Path, string Reason, long Count)> GetReopens()
    {
        foreach (var writer in _writerList)
        {
            yield return (writer.Path, "deleted", writer.ReopenedDeleted);
            yield return (writer.Path, "signal", writer.ReopenedBySignal);
        }
    }

    /// <summary>
    /// Makes every fast-path writer open its file by name again before its next write. Needs no pipeline rebuild, so
    /// a SIGHUP does it even when the new configuration is refused.
    /// </summary>
    public void ReopenWriters()
    {
        foreach (var writer in _writers.Values)
        {
            writer.Reopen();
        }

        foreach (var files in _dynamicList)
        {
            files.Reopen();
        }
    }

    /// <summary>
    /// Makes the next <see cref="Open"/> open each file anew, as logrotate's <c>postrotate</c> expects after it renamed
    /// them. The files in use are closed a little later, when messages already in the old pipeline have been written.
    /// </summary>
    public void Reopen()
    {
        ReopenWriters();
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
        // Each writer drains its queue; the connections that fill them have closed by now.
        Parallel.ForEach(_writers.Values, static writer => writer.Dispose());
        _writers.Clear();
        _writerList = [];
        foreach (var files in _dynamicList)
        {
            files.Dispose();
        }

        _dynamic.Clear();
        _dynamicList = [];
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

    private static (Logger, FlushableSink) Create(string path, LogStepOptions step)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FlushableSink? flushable = null;
        var file = Serilog.Configuration.LoggerSinkConfiguration.Wrap(
            inner => flushable = new FlushableSink(inner),
            sinks => sinks.File(
                path,
                outputTemplate: step.OutputTemplate ?? LogHandler.DefaultOutputTemplate,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                fileSizeLimitBytes: step.FileSizeLimitBytes ?? DefaultFileSizeLimitBytes,
                rollingInterval: RollingInterval.Day,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: step.RetainedFileCountLimit ?? DefaultRetainedFileCount));
        var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(file).CreateLogger();
        return (logger, flushable!);
    }
}
