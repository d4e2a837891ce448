using System.IO.Compression;
using ZstdSharp;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// What a message log does with the files it no longer writes: deletes the oldest past the retention limits (count,
/// age, total size) and compresses the rest in the background, one file at a time, so the writer never waits for either.
/// </summary>
/// <remarks><see cref="Apply"/> runs on the writer loop; compression on the thread pool.</remarks>
internal sealed class LogFileHousekeeping(LogFileNames names) : IDisposable
{
    private const string PartialSuffix = ".tmp";

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task _compressing = Task.CompletedTask;

    /// <summary>How many files to keep, the one being written included.</summary>
    public int RetainedFileCount { get; set; } = 31;

    /// <summary>Rolled files last written longer ago than this are deleted; none when <see langword="null"/>.</summary>
    public TimeSpan? RetainedAge { get; set; }

    /// <summary>The most bytes the files may take together; none when <see langword="null"/>.</summary>
    public long? RetainedTotalBytes { get; set; }

    /// <summary>How rolled files are compressed.</summary>
    public LogFileCompression Compression { get; set; }

    /// <summary>Completes when the compression under way (if any) has finished: for tests and a stop.</summary>
    public Task Compressing
    {
        get
        {
            lock (_lock)
            {
                return _compressing;
            }
        }
    }

    /// <summary>
    /// Deletes the rolled files past the limits and starts compressing the others; <paramref name="current"/>, the file
    /// being written, is never touched. Failures are left for the next roll.
    /// </summary>
    public void Apply(string? current)
    {
        // Under the lock a compression finishes under: a file deleted here is never renamed into place after.
        lock (_lock)
        {
            ApplyLocked(current);
        }
    }

    private void ApplyLocked(string? current)
    {
        var rolled = names.Existing()
            .Where(f => !string.Equals(f.Path, current, StringComparison.Ordinal))
            .OrderByDescending(f => f.Day)
            .ThenByDescending(f => f.Sequence ?? -1)
            .ToList();
        var keep = new List<LogFileName>();
        var oldest = RetainedAge is { } age ? DateTime.UtcNow - age : DateTime.MinValue;
        var total = current is null ? 0 : LengthOf(current);
        foreach (var file in rolled)
        {
            var length = LengthOf(file.Path);
            if (keep.Count >= RetainedFileCount - 1
                || (RetainedAge is not null && File.GetLastWriteTimeUtc(file.Path) < oldest)
                || (RetainedTotalBytes is { } limit && total + length > limit))
            {
                Delete(file.Path);
                continue;
            }

            total += length;
            keep.Add(file);
        }

        if (Compression != LogFileCompression.None && keep.Exists(static f => !f.Compressed))
        {
            _compressing = _compressing.ContinueWith(_ => CompressAll(current), _stopping.Token, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>Stops the compression under way; what it left half-done is compressed again at the next start.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        try
        {
            Compressing.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Cancelled: the partial file was removed.
        }

        _stopping.Dispose();
    }

    private void CompressAll(string? current)
    {
        foreach (var file in names.Existing().Where(f => !f.Compressed && f.Day != DateTime.MaxValue && !string.Equals(f.Path, current, StringComparison.Ordinal)).ToList())
        {
            _stopping.Token.ThrowIfCancellationRequested();
            Compress(file.Path);
        }
    }

    // Into a partial file first, renamed when whole: a crash never leaves a truncated .gz in place of the lines.
    private void Compress(string path)
    {
        var target = path + (Compression == LogFileCompression.Zstd ? LogFileNames.ZstdSuffix : LogFileNames.GzipSuffix);
        var partial = target + PartialSuffix;
        try
        {
            var written = File.GetLastWriteTimeUtc(path);
            using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16))
            using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using (var compressor = Compressor(output))
                {
                    source.CopyToAsync(compressor, _stopping.Token).GetAwaiter().GetResult();
                }

                output.Flush(flushToDisk: true);
            }

            File.SetLastWriteTimeUtc(partial, written);
            lock (_lock)
            {
                // Retention deleted the file while it was being compressed: its compressed copy must not bring it back.
                if (!File.Exists(path))
                {
                    Delete(partial);
                    return;
                }

                File.Move(partial, target, overwrite: false);
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            Delete(partial);
            if (ex is OperationCanceledException)
            {
                throw;
            }
        }
    }

    // zstd's default level (3): log text compresses about as well as gzip -9 at several times the speed.
    private Stream Compressor(Stream output) => Compression == LogFileCompression.Zstd
        ? new CompressionStream(output, level: 3, leaveOpen: true)
        : new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);

    private static long LengthOf(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Tried again at the next roll.
        }
    }
}
