using Microsoft.Win32.SafeHandles;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// A message log file that rolls at a size limit and at each local day, named as <see cref="LogFileNames"/> says:
/// Serilog's dated names (<c>messages20261125.log</c>, <c>messages20261125_001.log</c>, ...) or a stable
/// <c>messages.log</c> renamed with its day when it rolls. A file that loses its name while open (<c>rm</c>, its
/// directory removed) is noticed after each write, and what was written to it since it was last seen named is written
/// again to the file opened anew by name, before anything newer.
/// </summary>
/// <remarks>Used by one writer loop only; not thread-safe, except <see cref="IsDeleted"/>.</remarks>
internal sealed class RollingLogFile : IDisposable
{
    // pwritev takes at most IOV_MAX (1024) buffers.
    private const int MaxBuffersPerWrite = 512;

    private readonly LogFileNames _names;
    private readonly LogFileHousekeeping _housekeeping;
    private readonly List<ReadOnlyMemory<byte>> _group = [];
    private readonly List<ReadOnlyMemory<byte>> _salvaged = [];
    private volatile SafeFileHandle? _handle;
    private FileStream? _syncer;
    private bool _readable;
    private long _length;

    // How long the file was when it was last seen to have a name: what is past it goes again to a file anew.
    private long _named;
    private DateTime _day;
    private int? _sequence;

    public RollingLogFile(string path, LogFileOptions? options = null)
    {
        options ??= new LogFileOptions();
        _names = new LogFileNames(path, options.Naming);
        _housekeeping = new LogFileHousekeeping(_names)
        {
            Compression = options.Compression,
            RetainedAge = options.RetainedAge,
            RetainedTotalBytes = options.RetainedTotalBytes,
        };
    }

    /// <summary>A file that reaches this many bytes is followed by the next; the line that crosses it is still written whole.</summary>
    public long SizeLimit { get; set; } = 1L << 30;

    /// <summary>How many files to keep, the one being written included.</summary>
    public int RetainedFileCount
    {
        get => _housekeeping.RetainedFileCount;
        set => _housekeeping.RetainedFileCount = value;
    }

    /// <summary>Whether a file is fsynced before the next one is opened (<c>Durability: fsync</c>).</summary>
    public bool SyncOnRoll { get; set; }

    /// <summary>The file being written, or <see langword="null"/> before the first write or after a failure.</summary>
    public string? CurrentPath { get; private set; }

    /// <summary>How many times the file open was found without a name and opened anew.</summary>
    public long DeletedCount { get; private set; }

    /// <summary>Bytes written to a file after it lost its name that could not be read back (it was opened write-only).</summary>
    public long UnrecoveredBytes { get; private set; }

    /// <summary>Bytes written to a nameless file that wait to be written again; they go before anything else.</summary>
    public List<ReadOnlyMemory<byte>> Salvaged => _salvaged;

    /// <summary>The background compression under way, for tests and a stop.</summary>
    internal Task Compressing => _housekeeping.Compressing;

    /// <summary>Whether the file open has lost its name; safe from any thread (the health probe).</summary>
    public bool IsDeleted => _handle is { } handle && LogFileLinks.IsUnlinked(handle);

    /// <summary>
    /// Writes <paramref name="buffers"/>, each a run of whole lines, with as few write calls as rolling allows.
    /// Removes what was written from the list, so that after an exception it holds exactly what is left to write (a
    /// write that failed half-way is cut back off the file, so the lines are not there twice once written again).
    /// <paramref name="observer"/> hears where each write goes. Returns once the lines are in a file that has a name.
    /// </summary>
    public void Write(List<ReadOnlyMemory<byte>> buffers, ILogWriteObserver? observer = null)
    {
        WriteRun(_salvaged, null, observer);
        WriteRun(buffers, observer, observer);
        while (_handle is { } handle && LogFileLinks.IsUnlinked(handle))
        {
            Salvage();
            WriteRun(_salvaged, null, observer);
        }

        _named = _length;
    }

    /// <summary>fsync(2)s the file being written.</summary>
    public void FlushToDisk() => _syncer?.Flush(flushToDisk: true);

    /// <summary>
    /// Closes the file; the next <see cref="Write"/> opens the current one by name again (logrotate, a fault). What a
    /// nameless file took since it last had a name is kept in <see cref="Salvaged"/> first.
    /// </summary>
    public void Close()
    {
        if (_handle is { } handle && LogFileLinks.IsUnlinked(handle))
        {
            Salvage();
        }

        Release();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Release();
        _housekeeping.Dispose();
    }

    /// <summary>The newest existing file of this log, as <see cref="Write"/> would continue it, or <see langword="null"/>.</summary>
    public string? FindCurrent() => CurrentPath ?? _names.Existing()
        .Where(f => !f.Compressed && f.Stable == (_names.Naming == LogFileNaming.Stable))
        .OrderByDescending(f => f.Day).ThenByDescending(f => f.Sequence ?? -1).Select(f => f.Path).FirstOrDefault();

    private void WriteRun(List<ReadOnlyMemory<byte>> buffers, ILogWriteObserver? observer, ILogWriteObserver? opened)
    {
        while (buffers.Count > 0)
        {
            var now = DateTime.Now;
            if (_handle is not null && (now.Date != _day || _length >= SizeLimit))
            {
                Roll(now.Date, opened);
                if (_salvaged.Count > 0 && !ReferenceEquals(buffers, _salvaged))
                {
                    // The old file lost its name before the roll: what it took since goes first into the new one.
                    WriteRun(_salvaged, null, opened);
                }
            }

            if (_handle is null)
            {
                Open(now.Date, null);
                opened?.Opened(CurrentPath!);
            }

            _group.Clear();
            var bytes = 0L;
            var taken = 0;
            ReadOnlyMemory<byte>? rest = null;
            foreach (var buffer in buffers)
            {
                var room = SizeLimit - _length - bytes;
                if (room <= 0 || _group.Count == MaxBuffersPerWrite)
                {
                    break;
                }

                if (buffer.Length <= room)
                {
                    _group.Add(buffer);
                    bytes += buffer.Length;
                    taken++;
                    continue;
                }

                // The line holding the last byte below the limit is the last line of this file.
                var newline = buffer.Span[(int)(room - 1)..].IndexOf((byte)'\n');
                var cut = newline < 0 ? buffer.Length : (int)room + newline;
                _group.Add(buffer[..cut]);
                bytes += cut;
                rest = buffer[cut..];
                break;
            }

            var completed = taken + (rest is { IsEmpty: true } ? 1 : 0);
            observer?.BeforeWrite(CurrentPath!, _length, _group, completed);
            try
            {
                RandomAccess.Write(_handle!, _group, _length);
            }
            catch (IOException)
            {
                TryCutBack();
                throw;
            }

            _length += bytes;
            observer?.AfterWrite(completed);
            buffers.RemoveRange(0, taken);
            if (rest is { } remaining)
            {
                if (remaining.IsEmpty)
                {
                    buffers.RemoveAt(0);
                }
                else
                {
                    buffers[0] = remaining;
                }
            }
        }
    }

    private void Roll(DateTime today, ILogWriteObserver? opened)
    {
        // The commit after this write fsyncs the new file only: the old one's lines go to disk first.
        if (SyncOnRoll)
        {
            FlushToDisk();
        }

        if (LogFileLinks.IsUnlinked(_handle!))
        {
            Salvage();
            return;
        }

        var day = _day;
        var next = _length >= SizeLimit && today == day ? (_sequence ?? 0) + 1 : (int?)null;
        var path = CurrentPath!;
        Release();
        if (_names.Naming == LogFileNaming.Stable)
        {
            File.Move(path, _names.Rolled(day));
            next = null;
        }

        Open(today, next);
        opened?.Opened(CurrentPath!);
    }

    // Reads back what the nameless file took since it last had a name, and closes it.
    private void Salvage()
    {
        var lost = _length - _named;
        if (lost > 0)
        {
            var bytes = new byte[lost];
            if (_readable && TryReadBack(bytes))
            {
                // Older than whatever still waits to be written again: it goes first.
                _salvaged.Insert(0, bytes);
            }
            else
            {
                UnrecoveredBytes += lost;
            }
        }

        DeletedCount++;
        Release();
    }

    private bool TryReadBack(byte[] bytes)
    {
        try
        {
            return RandomAccess.Read(_handle!, bytes, _named) == bytes.Length;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void Release()
    {
        _syncer?.Dispose();
        _syncer = null;
        _handle = null;
        CurrentPath = null;
    }

    // A write that failed after some bytes (disk full) leaves them past the length the next write starts from.
    private void TryCutBack()
    {
        try
        {
            RandomAccess.SetLength(_handle!, _length);
        }
        catch (IOException)
        {
            // The file is failing anyway; the next write starts at the same offset and overwrites what is there.
        }
    }

    private void Open(DateTime day, int? minSequence)
    {
        Directory.CreateDirectory(_names.Directory);
        if (_names.Naming == LogFileNaming.Stable)
        {
            OpenNamed(_names.Path);
            _day = _length > 0 ? File.GetLastWriteTime(_names.Path).Date : day;
            _sequence = null;
        }
        else
        {
            OpenDated(day, minSequence);
        }

        _housekeeping.Apply(CurrentPath);
    }

    private void OpenDated(DateTime day, int? minSequence)
    {
        // Continue the newest file of the day, as Serilog does after a restart; a compressed one is done with.
        var newest = _names.Existing().Where(f => !f.Stable && f.Day == day).OrderByDescending(f => f.Sequence ?? -1).ThenBy(f => f.Compressed).FirstOrDefault();
        int? sequence = newest.Path is null ? null : newest.Compressed ? (newest.Sequence ?? 0) + 1 : newest.Sequence;
        if (minSequence is { } min && (sequence is null || sequence < min))
        {
            sequence = min;
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                OpenNamed(_names.Dated(day, sequence));
                _day = day;
                _sequence = sequence;
                break;
            }
            catch (IOException) when (attempt < 2)
            {
                // Held by someone else: the next sequence number, as Serilog tries.
                sequence = (sequence ?? 0) + 1;
            }
        }
    }

    private void OpenNamed(string name)
    {
        SafeFileHandle handle;
        try
        {
            // Readable too, so what a nameless file took can be read back.
            handle = File.OpenHandle(name, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            _readable = true;
        }
        catch (UnauthorizedAccessException)
        {
            handle = File.OpenHandle(name, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
            _readable = false;
        }

        _syncer = new FileStream(handle, FileAccess.Write, bufferSize: 0);
        _handle = handle;
        _length = RandomAccess.GetLength(handle);
        _named = _length;
        CurrentPath = name;
    }
}
