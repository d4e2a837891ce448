using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Configuration;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// The one writer of a message log file: connections hand it chunks of formatted lines through a bounded queue, and
/// its loop writes what is queued with one gathered write (<c>pwritev</c>) of up to 1 MiB, fsyncs when a commit asks for it, and
/// rolls the file. A full queue makes <see cref="EnqueueAsync"/> wait, so readers stop reading and the kernel pushes
/// back on senders; memory stays bounded whatever they send. While the file cannot be written, what is queued moves to
/// a <see cref="MessageLogSpool"/> on disk (so readers go on until it is full too), commits wait, and once the file
/// can be written again the spool drains into it before anything newer.
/// </summary>
public sealed partial class MessageLogWriter : IDisposable
{
    /// <summary>The size of the chunks lines are gathered in before they are queued.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>How many chunks (and commits) may wait for the writer: about 8 MiB.</summary>
    public const int QueueCapacity = 128;

    /// <summary>
    /// How many chunks one write takes at most (1 MiB): the kernel copies lines into the page cache faster while they
    /// are still in the CPU cache (docs/performance-history.md, "The writer's 1 MiB writes").
    /// </summary>
    public const int WriteChunks = 16;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);

    private readonly Channel<Item> _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly RollingLogFile _file;
    private readonly MessageDurability _durability;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private readonly MessageLogSpool? _spool;
    private readonly List<TaskCompletionSource> _deferred = [];
    private readonly ClaimTracker _claims = new();

    // Lines wait in the spool, or commits wait for the file: the loop tries the file every RetryDelay meanwhile.
    private bool _behind;
    private volatile bool _reopen;
    private volatile bool _stopping;
    private volatile string? _fault;

    // When the write (or fsync) under way began, 0 when none is: a call that does not return is a writer that hangs.
    private long _writeStarted;
    private long _reopenedDeleted;
    private long _reopenedBySignal;
    private long _unrecovered;

    /// <summary>
    /// Starts the writer of <paramref name="path"/>; while the file cannot be written, lines wait in a spool in
    /// <paramref name="spoolDirectory"/> (or, without one, in the queue alone).
    /// </summary>
    public MessageLogWriter(string path, MessageDurability durability, ILogger logger, string? spoolDirectory = null, LogFileOptions? files = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(logger);
        Path = path;
        _file = new RollingLogFile(path, files) { SyncOnRoll = durability == MessageDurability.Fsync };
        _durability = durability;
        _logger = logger;
        if (spoolDirectory is not null)
        {
            _spool = new MessageLogSpool(spoolDirectory, durability == MessageDurability.Fsync ? SpoolDurability.Fsync : SpoolDurability.Flush);
            try
            {
                _behind = _spool.HasPending;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The loop's first write meets the same problem and reports it.
                _behind = true;
            }
        }

        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// How long the write or fsync under way has taken so far (zero when none is). A failing file does not count: each
    /// attempt fails at once and the writer waits between attempts; a call the kernel never returns from (a hung NFS
    /// server, a dying disk) does.
    /// </summary>
    public TimeSpan WriteUnderWayFor => Volatile.Read(ref _writeStarted) is var started and not 0
        ? TimeSpan.FromMilliseconds(Environment.TickCount64 - started)
        : TimeSpan.Zero;

    /// <summary>The configured path; the files written carry the date (and a sequence number) before the extension.</summary>
    public string Path { get; }

    /// <summary>Whether the queue is full, so that the next <see cref="EnqueueAsync"/> waits: a cheap signal for <c>busy</c> replies.</summary>
    public bool IsFull => _queue.Reader.Count >= QueueCapacity;

    /// <summary>Why the last write failed, or <see langword="null"/> when the writer is healthy.</summary>
    public string? Fault => _fault;

    /// <summary>How many bytes of lines wait in the spool on disk for the file to be writable again.</summary>
    public long SpooledBytes => _spool?.Bytes ?? 0;

    /// <summary>The file written now, or the newest existing one.</summary>
    public string? CurrentFile => _file.FindCurrent();

    /// <summary>
    /// Whether the file open has lost its name (deleted, or its directory removed): the next write opens it anew by
    /// name and writes again what went to it since.
    /// </summary>
    public bool FileDeleted => _file.IsDeleted;

    /// <summary>How many times the file was found deleted and opened anew by name.</summary>
    public long ReopenedDeleted => Volatile.Read(ref _reopenedDeleted);

    /// <summary>How many times the file was opened anew by name because <see cref="Reopen"/> asked (SIGHUP).</summary>
    public long ReopenedBySignal => Volatile.Read(ref _reopenedBySignal);

    /// <summary>The file open now, <see langword="null"/> before the first write, after a fault or a reopen.</summary>
    public string? OpenFile => _file.CurrentPath;

    /// <summary>Completes when the compression of rolled files under way has finished.</summary>
    internal Task Compressing => _file.Compressing;

    /// <summary>Where the chunks queued to this writer come from and go back to.</summary>
    internal LogChunkPool Chunks { get; } = new(QueueCapacity);

    /// <summary>Sets the rolling limits; they apply from the next write (a reload).</summary>
    public void Configure(long sizeLimit, int retainedFileCount)
    {
        _file.SizeLimit = sizeLimit;
        _file.RetainedFileCount = retainedFileCount;
    }

    /// <summary>
    /// Queues <paramref name="length"/> bytes of whole lines in <paramref name="chunk"/>, which must come from
    /// <see cref="Chunks"/> or <see cref="ArrayPool{T}.Shared"/>: the writer returns it to <see cref="Chunks"/>. Waits while the queue is full. A
    /// <paramref name="claim"/> is recorded in its journal, with where the chunk lands, before the chunk is written.
    /// </summary>
    public ValueTask EnqueueAsync(byte[] chunk, int length, LogClaim? claim = null)
    {
        var item = new Item(chunk, length, null, claim);
        return _queue.Writer.TryWrite(item) ? ValueTask.CompletedTask : _queue.Writer.WriteAsync(item);
    }

    /// <summary>
    /// Completes when every chunk queued before it has been handed to the kernel (<see cref="MessageDurability.Flush"/>)
    /// or is on disk (<see cref="MessageDurability.Fsync"/>); faults while the file cannot be written.
    /// </summary>
    public async Task CommitAsync()
    {
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Item(null, 0, commit, null));
        await commit.Task;
    }

    /// <summary>Makes the writer open the file by name again before its next write, as logrotate's <c>postrotate</c> expects.</summary>
    public void Reopen() => _reopen = true;

    /// <summary>Writes what is queued (waiting a bounded time for a failing file) and closes the file.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping = true;
        if (!_loop.Wait(DrainTimeout))
        {
            WriterStuck(_logger, Path);
        }
        else if (_file.Salvaged.Sum(static b => b.Length) is var held and > 0)
        {
            // Lines a deleted file took that neither a new file nor the spool could take before the stop.
            MessagesLost(_logger, Path, held);
        }

        _file.Dispose();
        _spool?.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var chunks = new List<byte[]>();
        var buffers = new List<ReadOnlyMemory<byte>>();
        var commits = new List<TaskCompletionSource>();
        Task<bool>? waiting = null;
        while (true)
        {
            waiting ??= reader.WaitToReadAsync().AsTask();
            if (_behind && await Task.WhenAny(waiting, Task.Delay(RetryDelay)).ConfigureAwait(false) != waiting)
            {
                // Nothing new: try the file again with what waits for it (the spool at start, after a fault).
                Complete(await WriteAsync(buffers, sync: _deferred.Count > 0 && _durability == MessageDurability.Fsync).ConfigureAwait(false), commits);
                continue;
            }

            if (!await waiting.ConfigureAwait(false))
            {
                break;
            }

            waiting = null;

            // What is queued goes in one write of up to WriteChunks; a commit covers what was queued before it, and more.
            while (chunks.Count < WriteChunks && reader.TryRead(out var item))
            {
                if (item.Commit is { } commit)
                {
                    commits.Add(commit);
                }
                else
                {
                    chunks.Add(item.Chunk!);
                    buffers.Add(item.Chunk.AsMemory(0, item.Length));
                    _claims.Add(item.Claim);
                }
            }

            var sync = (commits.Count > 0 || _deferred.Count > 0) && _durability == MessageDurability.Fsync;
            Complete(await WriteAsync(buffers, sync).ConfigureAwait(false), commits);

            // What the write left (given up at a stop: Lost) is dropped with the buffers below, and its claims with it.
            _claims.Missed(0);
            foreach (var chunk in chunks)
            {
                Chunks.Return(chunk);
            }

            chunks.Clear();
            buffers.Clear();
        }

        // Stopped with lines in the spool: the next run writes them first; nobody was told they are written.
        Complete(WriteOutcome.Lost, commits);
    }

    private void Complete(WriteOutcome outcome, List<TaskCompletionSource> commits)
    {
        if (outcome == WriteOutcome.Spooled)
        {
            _deferred.AddRange(commits);
            commits.Clear();
            return;
        }

        foreach (var commit in _deferred.Concat(commits))
        {
            if (outcome == WriteOutcome.Written)
            {
                commit.SetResult();
            }
            else
            {
                commit.SetException(new IOException($"{Path}: {_fault}"));
            }
        }

        _deferred.Clear();
        commits.Clear();
    }

    // Writes what the spool holds, then buffers. A failing file (disk full, permission lost, directory removed) moves
    // buffers to the spool; when that is full or failing too, retries until the file works again: meanwhile the queue
    // fills and readers wait. Nothing is acknowledged before it is in the file. Gives up only when the daemon stops.
    private async Task<WriteOutcome> WriteAsync(List<ReadOnlyMemory<byte>> buffers, bool sync)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (_reopen)
                {
                    _reopen = false;
                    _file.Close();
                    Interlocked.Increment(ref _reopenedBySignal);
                }

                Volatile.Write(ref _writeStarted, Environment.TickCount64);
                _spool?.DrainTo(_file);
                _file.Write(buffers, _claims.Observer);
                _claims.Missed(buffers.Count);
                _behind = false;
                if (sync)
                {
                    _file.FlushToDisk();
                }

                Volatile.Write(ref _writeStarted, 0);
                NoteDeletions();

                if (_fault is not null)
                {
                    _fault = null;
                    WriteRecovered(_logger, Path);
                }

                return WriteOutcome.Written;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Volatile.Write(ref _writeStarted, 0);
                if (_fault is null)
                {
                    WriteFailed(_logger, ex, Path);
                }

                _fault = ex.Message;
                _file.Close();
                NoteDeletions();

                // What a deleted file took since it lost its name goes after what the spool holds and before buffers;
                // while it cannot be spooled it waits here, and buffers with it.
                if (_file.Salvaged.Count > 0 && _spool is { HasPending: false })
                {
                    _spool.TryAppend(_file.Salvaged);
                }

                if (buffers.Count == 0)
                {
                    // Only commits (or the spool) wait: they wait for the next try.
                    _behind = true;
                    return WriteOutcome.Spooled;
                }

                var spooled = _spool is not null && _file.Salvaged.Count == 0 && _spool.TryAppend(buffers);

                // The claims of spooled lines do not hold: those senders' positions are recorded after the commit.
                _claims.Missed(buffers.Count);
                if (spooled)
                {
                    if (!_behind)
                    {
                        LinesSpooled(_logger, Path, _spool!.Directory);
                    }

                    _behind = true;
                    return WriteOutcome.Spooled;
                }

                if (_stopping && attempt >= 3)
                {
                    var lost = 0;
                    foreach (var buffer in buffers.Concat(_file.Salvaged))
                    {
                        lost += buffer.Length;
                    }

                    MessagesLost(_logger, Path, lost);
                    return WriteOutcome.Lost;
                }

                await Task.Delay(RetryDelay).ConfigureAwait(false);
            }
        }
    }

    private readonly record struct Item(byte[]? Chunk, int Length, TaskCompletionSource? Commit, LogClaim? Claim);
}
