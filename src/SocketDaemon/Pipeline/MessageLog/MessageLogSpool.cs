using SocketDaemon.Client.Spooling;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// Where a message log's lines wait on disk while its file cannot be written (disk full, permission lost, directory
/// gone): a <see cref="DiskSpool"/> under <c>StateDirectory</c>, one record per run of whole lines, drained into the
/// file in order before anything newer when it can be written again. Opened only when first needed (or when a
/// previous run left records), so a healthy daemon never touches it.
/// </summary>
/// <remarks>Used by one writer loop only; not thread-safe.</remarks>
internal sealed class MessageLogSpool(string directory, SpoolDurability durability) : IDisposable
{
    /// <summary>The most the spool of one log file holds; past it the writer holds its queue and readers wait.</summary>
    public const long MaxBytes = 1L << 30;

    private const int DrainRecords = 256;
    private const long DrainBytes = 4L << 20;

    private DiskSpool? _spool;
    private bool _looked;

    /// <summary>Where the segment files are.</summary>
    public string Directory { get; } = directory;

    /// <summary>Whether lines wait in the spool: they go to the file before anything queued after them.</summary>
    public bool HasPending
    {
        get
        {
            if (!_looked)
            {
                _looked = true;
                _spool ??= OpenIfLeft();
            }

            return _spool is { Pending: > 0 };
        }
    }

    /// <summary>How many bytes of segment files the spool holds.</summary>
    public long Bytes => _spool?.Bytes ?? 0;

    /// <summary>
    /// Appends <paramref name="buffers"/> (each a run of whole lines) and clears the list; <see langword="false"/>,
    /// with the list untouched past what fitted, when the spool is full or cannot be written either.
    /// </summary>
    public bool TryAppend(List<ReadOnlyMemory<byte>> buffers)
    {
        try
        {
            _spool ??= Open();
            var appended = 0;
            try
            {
                foreach (var buffer in buffers)
                {
                    _spool.Append(buffer.Span);
                    appended++;
                }
            }
            finally
            {
                buffers.RemoveRange(0, appended);
                _spool.Commit();
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // SpoolFullException is an IOException too: the writer holds the rest and retries the file.
            return false;
        }
    }

    /// <summary>
    /// Writes every spooled record to <paramref name="file"/> in order, marking each done once written; throws what
    /// the file throws, leaving the rest for the next try.
    /// </summary>
    public void DrainTo(RollingLogFile file)
    {
        if (!HasPending)
        {
            return;
        }

        var spool = _spool!;
        var buffers = new List<ReadOnlyMemory<byte>>();
        while (spool.Read(spool.Acknowledged + 1, DrainRecords, DrainBytes) is { Count: > 0 } records)
        {
            buffers.Clear();
            foreach (var record in records)
            {
                buffers.Add(record.Payload);
            }

            try
            {
                file.Write(buffers);
            }
            finally
            {
                // What the file took is gone from the list: those records are done.
                var written = records.Count - buffers.Count;
                if (written > 0)
                {
                    spool.Acknowledge(records[written - 1].Sequence);
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _spool?.Dispose();

    // Records a previous run left (it stopped while the file could not be written) go first.
    private DiskSpool? OpenIfLeft() => System.IO.Directory.Exists(Directory) ? Open() : null;

    private DiskSpool Open() => DiskSpool.Open(Directory, new DiskSpoolOptions { MaxBytes = MaxBytes, Durability = durability });
}
