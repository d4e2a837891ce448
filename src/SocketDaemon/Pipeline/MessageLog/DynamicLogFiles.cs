using System.Threading.Channels;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// The files of one templated <c>Log</c> step (<c>"Path": "apps/{AppName}.log"</c>): a <see cref="MessageLogWriter"/> per
/// file, opened on its first message, at most <see cref="MaxOpenFiles"/> at a time. When a new file would pass the bound
/// the least recently used one is closed, after its lines are written (and fsynced under <c>Durability: fsync</c>); it
/// opens again on its next message. A file some connection still holds lines for is not closed until it has handed
/// them over, so the bound is passed for a moment when more connections than <see cref="MaxOpenFiles"/> write at once.
/// </summary>
public sealed class DynamicLogFiles : IDisposable
{
    /// <summary>How many files stay open when a step sets no <c>MaxOpenFiles</c>, as rsyslog's <c>dynaFileCacheSize</c>.</summary>
    public const int DefaultMaxOpenFiles = 100;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, DynamicLogFile> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DynamicLogFile>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<string, Task> _closing = new(StringComparer.Ordinal);

    // Most recently used first.
    private readonly LinkedList<DynamicLogFile> _recent = new();
    private readonly string _directory;
    private readonly Func<string, MessageLogWriter> _create;
    private long _sizeLimit = 1L << 30;
    private int _retainedFileCount = 31;
    private long _opened;
    private long _closed;

    // The writers as an array, for what runs per batch (commits, the pressure check) without the lock.
    private volatile MessageLogWriter[] _writers = [];

    /// <summary>
    /// Creates the set of <paramref name="template"/>'s files under <paramref name="directory"/>; <paramref name="create"/>
    /// makes the writer of a full path.
    /// </summary>
    public DynamicLogFiles(LogPathTemplate template, string directory, Func<string, MessageLogWriter> create)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(create);
        Template = template;
        _directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _create = create;
        _lookup = _open.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The step's path template.</summary>
    public LogPathTemplate Template { get; }

    /// <summary>How many files may be open at once.</summary>
    public int MaxOpenFiles { get; private set; } = DefaultMaxOpenFiles;

    /// <summary>The writers of the files open now.</summary>
    public IReadOnlyList<MessageLogWriter> Writers => _writers;

    /// <summary>How many files were opened, reopenings after a close included.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>How many files were closed to stay within <see cref="MaxOpenFiles"/>.</summary>
    public long Closed => Interlocked.Read(ref _closed);

    /// <summary>Sets the rolling limits and the bound; they apply to the open files from their next write (a reload).</summary>
    public void Configure(long sizeLimit, int retainedFileCount, int maxOpenFiles)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOpenFiles, 1);
        lock (_lock)
        {
            _sizeLimit = sizeLimit;
            _retainedFileCount = retainedFileCount;
            MaxOpenFiles = maxOpenFiles;
            foreach (var file in _open.Values)
            {
                file.Writer.Configure(sizeLimit, retainedFileCount);
            }

            CloseOverflow();
        }
    }

    /// <summary>
    /// Completes when every line handed to these files so far is as durable as <c>Durability</c> asks, those of files
    /// closed meanwhile included.
    /// </summary>
    public Task CommitAsync()
    {
        DynamicLogFile[] open;
        Task[] closing;
        lock (_lock)
        {
            if (_open.Count == 0 && _closing.Count == 0)
            {
                return Task.CompletedTask;
            }

            open = [.. _open.Values];
            closing = [.. _closing.Values];
        }

        return Task.WhenAll(open.Select(CommitAsync).Concat(closing));
    }

    /// <summary>Makes every open file open by name again before its next write (SIGHUP, logrotate).</summary>
    public void Reopen()
    {
        foreach (var writer in _writers)
        {
            writer.Reopen();
        }
    }

    /// <summary>Writes what every file holds and closes them all.</summary>
    public void Dispose()
    {
        DynamicLogFile[] open;
        Task[] closing;
        lock (_lock)
        {
            open = [.. _open.Values];
            closing = [.. _closing.Values];
            _open.Clear();
            _recent.Clear();
            _writers = [];
        }

        Parallel.ForEach(open, static file => file.Writer.Dispose());
        try
        {
            Task.WaitAll(closing);
        }
        catch (AggregateException)
        {
            // A close that could not write its lines at the stop: its writer has logged what was lost.
        }
    }

    /// <summary>
    /// Pins the open file <paramref name="key"/> names, opening it when it is not; <see langword="null"/> while that
    /// file is still closing, with the task to wait for before trying again.
    /// </summary>
    internal DynamicLogFile? TryAcquire(ReadOnlySpan<char> key, out Task? closing)
    {
        lock (_lock)
        {
            closing = null;
            if (_lookup.TryGetValue(key, out var file))
            {
                Use(file);
                return file;
            }

            var name = key.ToString();
            if (_closing.TryGetValue(name, out closing))
            {
                return null;
            }

            file = new DynamicLogFile(name, OpenWriter(name));
            _open.Add(name, file);
            _writers = [.. _writers, file.Writer];
            _opened++;
            Use(file);
            CloseOverflow();
            return file;
        }
    }

    /// <summary>Pins <paramref name="file"/> again; <see langword="false"/> when it was closed meanwhile.</summary>
    internal bool TryRepin(DynamicLogFile file)
    {
        lock (_lock)
        {
            if (file.IsClosed)
            {
                return false;
            }

            Use(file);
            return true;
        }
    }

    /// <summary>Unpins <paramref name="file"/>: its lines are queued to its writer.</summary>
    internal void Release(DynamicLogFile file)
    {
        lock (_lock)
        {
            file.Pins--;
            if (_open.Count > MaxOpenFiles)
            {
                CloseOverflow();
            }
        }
    }

    private void Use(DynamicLogFile file)
    {
        file.Pins++;
        if (_recent.First != file.Node)
        {
            if (file.Node.List is not null)
            {
                _recent.Remove(file.Node);
            }

            _recent.AddFirst(file.Node);
        }
    }

    private MessageLogWriter OpenWriter(string name)
    {
        var path = Path.GetFullPath(name, _directory);

        // Values cannot hold a separator (LogPathValue) and the validator checked the template: this is the last guard.
        if (!path.StartsWith(_directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{name}' is outside the log directory {_directory}.");
        }

        var writer = _create(path);
        writer.Configure(_sizeLimit, _retainedFileCount);
        return writer;
    }

    // Closes the least recently used files that no connection holds lines for until the bound holds again. A file
    // whose writer is failing stays: its lines wait in its queue for the file, and closing it would give them up.
    private void CloseOverflow()
    {
        var node = _recent.Last;
        while (_open.Count > MaxOpenFiles && node is not null)
        {
            var previous = node.Previous;
            var file = node.Value;
            if (file.Pins == 0 && file.Writer.Fault is null)
            {
                Close(file);
            }

            node = previous;
        }
    }

    private void Close(DynamicLogFile file)
    {
        _open.Remove(file.Key);
        _recent.Remove(file.Node);
        _writers = Array.FindAll(_writers, w => w != file.Writer);
        file.IsClosed = true;
        _closed++;
        var closed = Task.Run(async () =>
        {
            try
            {
                // Everything queued is written, and fsynced under Durability: fsync, before the file is let go.
                await file.Writer.CommitAsync().ConfigureAwait(false);
            }
            finally
            {
                file.Writer.Dispose();
            }
        });
        file.Closed = closed;
        _closing[file.Key] = closed;
        _ = closed.ContinueWith(
            _ =>
            {
                lock (_lock)
                {
                    if (_closing.TryGetValue(file.Key, out var current) && current == closed)
                    {
                        _closing.Remove(file.Key);
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task CommitAsync(DynamicLogFile file)
    {
        try
        {
            await file.Writer.CommitAsync().ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Closed since the snapshot: its close commits what it held.
            Task closed;
            lock (_lock)
            {
                closed = file.Closed;
            }

            await closed.ConfigureAwait(false);
        }
    }
}
