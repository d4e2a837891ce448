using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SocketDaemon.Hosting;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// The one writer of a message log file: connections hand it chunks of formatted lines through a bounded queue, and
/// its loop writes everything queued with one gathered write (<c>pwritev</c>), fsyncs when a commit asks for it, and
/// rolls the file. A full queue makes <see cref="EnqueueAsync"/> wait, so readers stop reading and the kernel pushes
/// back on senders; memory stays bounded whatever they send.
/// </summary>
public sealed partial class MessageLogWriter : IDisposable
{
    /// <summary>The size of the chunks lines are gathered in before they are queued.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>How many chunks (and commits) may wait for the writer: about 8 MiB.</summary>
    public const int QueueCapacity = 128;

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
    private volatile bool _reopen;
    private volatile bool _stopping;
    private volatile string? _fault;

    /// <summary>Starts the writer of <paramref name="path"/>.</summary>
    public MessageLogWriter(string path, MessageDurability durability, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(logger);
        Path = path;
        _file = new RollingLogFile(path);
        _durability = durability;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The configured path; the files written carry the date (and a sequence number) before the extension.</summary>
    public string Path { get; }

    /// <summary>Whether the queue is full, so that the next <see cref="EnqueueAsync"/> waits: a cheap signal for <c>busy</c> replies.</summary>
    public bool IsFull => _queue.Reader.Count >= QueueCapacity;

    /// <summary>Why the last write failed, or <see langword="null"/> when the writer is healthy.</summary>
    public string? Fault => _fault;

    /// <summary>The file written now, or the newest existing one.</summary>
    public string? CurrentFile => _file.FindCurrent();

    /// <summary>Sets the rolling limits; they apply from the next write (a reload).</summary>
    public void Configure(long sizeLimit, int retainedFileCount)
    {
        _file.SizeLimit = sizeLimit;
        _file.RetainedFileCount = retainedFileCount;
    }

    /// <summary>
    /// Queues <paramref name="length"/> bytes of whole lines in <paramref name="chunk"/>, which must come from
    /// <see cref="ArrayPool{T}.Shared"/>: the writer returns it. Waits while the queue is full.
    /// </summary>
    public ValueTask EnqueueAsync(byte[] chunk, int length)
    {
        var item = new Item(chunk, length, null);
        return _queue.Writer.TryWrite(item) ? ValueTask.CompletedTask : _queue.Writer.WriteAsync(item);
    }

    /// <summary>
    /// Completes when every chunk queued before it has been handed to the kernel (<see cref="MessageDurability.Flush"/>)
    /// or is on disk (<see cref="MessageDurability.Fsync"/>); faults while the file cannot be written.
    /// </summary>
    public async Task CommitAsync()
    {
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Item(null, 0, commit));
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

        _file.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var chunks = new List<byte[]>();
        var buffers = new List<ReadOnlyMemory<byte>>();
        var commits = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Everything queued goes in one write; a commit covers what was queued before it, and more.
            while (chunks.Count < QueueCapacity && reader.TryRead(out var item))
            {
                if (item.Commit is { } commit)
                {
                    commits.Add(commit);
                }
                else
                {
                    chunks.Add(item.Chunk!);
                    buffers.Add(item.Chunk.AsMemory(0, item.Length));
                }
            }

            var written = await WriteAsync(buffers, sync: commits.Count > 0 && _durability == MessageDurability.Fsync).ConfigureAwait(false);
            foreach (var commit in commits)
            {
                if (written)
                {
                    commit.SetResult();
                }
                else
                {
                    commit.SetException(new IOException($"{Path}: {_fault}"));
                }
            }

            foreach (var chunk in chunks)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            chunks.Clear();
            buffers.Clear();
            commits.Clear();
        }
    }

    // Retries a failing file (disk full, permission lost, directory removed) until it works again: meanwhile the
    // queue fills and readers wait, and nothing is acknowledged. Gives up only when the daemon stops.
    private async Task<bool> WriteAsync(List<ReadOnlyMemory<byte>> buffers, bool sync)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (_reopen)
                {
                    _reopen = false;
                    _file.Close();
                }

                _file.Write(buffers);
                if (sync)
                {
                    _file.FlushToDisk();
                }

                if (_fault is not null)
                {
                    _fault = null;
                    WriteRecovered(_logger, Path);
                }

                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (_fault is null)
                {
                    WriteFailed(_logger, ex, Path);
                }

                _fault = ex.Message;
                _file.Close();
                if (_stopping && attempt >= 3)
                {
                    var lost = 0;
                    foreach (var buffer in buffers)
                    {
                        lost += buffer.Length;
                    }

                    MessagesLost(_logger, Path, lost);
                    return false;
                }

                await Task.Delay(RetryDelay).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot write the message log {Path}; retrying every second, readers wait meanwhile")]
    private static partial void WriteFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "The message log {Path} is written again")]
    private static partial void WriteRecovered(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stopping with the message log {Path} still failing: {Bytes} bytes of messages not written")]
    private static partial void MessagesLost(ILogger logger, string path, int bytes);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The writer of {Path} did not finish within the stop timeout")]
    private static partial void WriterStuck(ILogger logger, string path);

    private readonly record struct Item(byte[]? Chunk, int Length, TaskCompletionSource? Commit);
}
