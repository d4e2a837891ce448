using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// A message log file that rolls the way Serilog's file sink (<c>RollingInterval.Day</c>, <c>rollOnFileSizeLimit</c>)
/// does, so that operators, logrotate rules and tests see the same names: <c>messages20261125.log</c>, then
/// <c>messages20261125_001.log</c>, <c>_002</c>, ... when a file reaches the size limit, a new file each local day,
/// and only the newest <see cref="RetainedFileCount"/> files kept.
/// </summary>
/// <remarks>Used by one writer loop only; not thread-safe.</remarks>
internal sealed class RollingLogFile(string path) : IDisposable
{
    // pwritev takes at most IOV_MAX (1024) buffers.
    private const int MaxBuffersPerWrite = 512;

    private readonly string _directory = Path.GetDirectoryName(path)!;
    private readonly string _prefix = Path.GetFileNameWithoutExtension(path);
    private readonly string _extension = Path.GetExtension(path);
    private readonly List<ReadOnlyMemory<byte>> _group = [];
    private SafeFileHandle? _handle;
    private FileStream? _syncer;
    private long _length;
    private DateTime _day;
    private int? _sequence;

    /// <summary>A file that reaches this many bytes is followed by the next; the line that crosses it is still written whole.</summary>
    public long SizeLimit { get; set; } = 1L << 30;

    /// <summary>How many files to keep, the one being written included.</summary>
    public int RetainedFileCount { get; set; } = 31;

    /// <summary>The file being written, or <see langword="null"/> before the first write or after a failure.</summary>
    public string? CurrentPath { get; private set; }

    /// <summary>
    /// Writes <paramref name="buffers"/>, each a run of whole lines, with as few write calls as rolling allows.
    /// Removes what was written from the list, so that after an exception it holds exactly what is left to write (a
    /// write that failed half-way is cut back off the file, so the lines are not there twice once written again).
    /// <paramref name="observer"/> hears where each write goes.
    /// </summary>
    public void Write(List<ReadOnlyMemory<byte>> buffers, ILogWriteObserver? observer = null)
    {
        while (buffers.Count > 0)
        {
            var now = DateTime.Now;
            if (_handle is not null && now.Date != _day)
            {
                if (SyncOnRoll)
                {
                    FlushToDisk();
                }

                Close();
            }

            if (_handle is null)
            {
                Open(now.Date, null);
                observer?.Opened(CurrentPath!);
            }

            if (_length >= SizeLimit)
            {
                // The commit after this write fsyncs the new file only: the old one's lines go to disk first.
                if (SyncOnRoll)
                {
                    FlushToDisk();
                }

                Close();
                Open(_day, (_sequence ?? 0) + 1);
                observer?.Opened(CurrentPath!);
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

    /// <summary>Whether a file is fsynced before the next one is opened (<c>Durability: fsync</c>).</summary>
    public bool SyncOnRoll { get; set; }

    /// <summary>fsync(2)s the file being written.</summary>
    public void FlushToDisk() => _syncer?.Flush(flushToDisk: true);

    /// <summary>Closes the file; the next <see cref="Write"/> opens the current one by name again (logrotate, a fault).</summary>
    public void Close()
    {
        _syncer?.Dispose();
        _syncer = null;
        _handle = null;
        CurrentPath = null;
    }

    /// <inheritdoc/>
    public void Dispose() => Close();

    /// <summary>The newest existing file of this log, as <see cref="Write"/> would continue it, or <see langword="null"/>.</summary>
    public string? FindCurrent() =>
        CurrentPath ?? Existing().OrderByDescending(f => f.Day).ThenByDescending(f => f.Sequence).Select(f => f.Path).FirstOrDefault();

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
        Directory.CreateDirectory(_directory);

        // Continue the newest file of the day, as Serilog does after a restart.
        var sequence = Existing().Where(f => f.Day == day).Max(f => f.Sequence);
        if (minSequence is { } min && (sequence is null || sequence < min))
        {
            sequence = min;
        }

        for (var attempt = 0; ; attempt++)
        {
            var name = NameOf(day, sequence);
            try
            {
                var handle = File.OpenHandle(name, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
                _syncer = new FileStream(handle, FileAccess.Write, bufferSize: 0);
                _handle = handle;
                _length = RandomAccess.GetLength(handle);
                _day = day;
                _sequence = sequence;
                CurrentPath = name;
                break;
            }
            catch (IOException) when (attempt < 2)
            {
                // Held by someone else: the next sequence number, as Serilog tries.
                sequence = (sequence ?? 0) + 1;
            }
        }

        ApplyRetention();
    }

    private void ApplyRetention()
    {
        var current = Path.GetFileName(CurrentPath);
        var old = Existing()
            .Where(f => !string.Equals(Path.GetFileName(f.Path), current, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(f => f.Day)
            .ThenByDescending(f => f.Sequence)
            .Skip(Math.Max(0, RetainedFileCount - 1));
        foreach (var file in old)
        {
            try
            {
                File.Delete(file.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Tried again at the next roll, as Serilog does.
            }
        }
    }

    private string NameOf(DateTime day, int? sequence) => Path.Combine(
        _directory,
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}{day:yyyyMMdd}{(sequence is { } s ? "_" + s.ToString("000", CultureInfo.InvariantCulture) : string.Empty)}{_extension}"));

    private IEnumerable<(string Path, DateTime Day, int? Sequence)> Existing()
    {
        if (!Directory.Exists(_directory))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(_directory, _prefix + "*" + _extension))
        {
            var name = Path.GetFileName(file.AsSpan());
            if (!name.EndsWith(_extension, StringComparison.Ordinal))
            {
                continue;
            }

            var middle = name[_prefix.Length..^_extension.Length];
            if (middle.Length < 8 || !DateTime.TryParseExact(middle[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                continue;
            }

            var suffix = middle[8..];
            if (suffix.IsEmpty)
            {
                yield return (file, day, null);
            }
            else if (suffix.Length >= 4 && suffix[0] == '_' && int.TryParse(suffix[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                yield return (file, day, sequence);
            }
        }
    }
}
