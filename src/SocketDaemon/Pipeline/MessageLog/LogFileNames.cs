using System.Globalization;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>One file of a message log, as its name tells it.</summary>
/// <param name="Path">The whole path.</param>
/// <param name="Day">The day it was written on; <see cref="DateTime.MaxValue"/> for the stable name, newest whatever its date.</param>
/// <param name="Sequence">Its number among the files of the same day, <see langword="null"/> for the first.</param>
/// <param name="Compressed">Whether it is compressed (<c>.gz</c> or <c>.zst</c>).</param>
/// <param name="Stable">Whether its name is the stable one or a stable-scheme rolled one (<c>messages-20261203.log</c>).</param>
internal readonly record struct LogFileName(string Path, DateTime Day, int? Sequence, bool Compressed, bool Stable);

/// <summary>
/// The names the files of one message log take: <c>messages20261203.log</c>, <c>messages20261203_001.log</c>, ... in
/// the dated scheme; <c>messages.log</c>, rolled to <c>messages-20261203.log</c>, <c>messages-20261203_001.log</c>, ...
/// in the stable one; either with <c>.gz</c> or <c>.zst</c> once compressed. Both schemes' files are recognised, so a change of
/// scheme keeps the retention of the files the other one left.
/// </summary>
internal sealed class LogFileNames(string path, LogFileNaming naming)
{
    /// <summary>The suffix of a gzipped file.</summary>
    public const string GzipSuffix = ".gz";

    /// <summary>The suffix of a Zstandard-compressed file.</summary>
    public const string ZstdSuffix = ".zst";

    private readonly string _prefix = System.IO.Path.GetFileNameWithoutExtension(path);
    private readonly string _extension = System.IO.Path.GetExtension(path);

    /// <summary>The configured path: the stable scheme's file written.</summary>
    public string Path { get; } = path;

    /// <summary>The directory the files are in.</summary>
    public string Directory { get; } = System.IO.Path.GetDirectoryName(path)!;

    /// <summary>The scheme new files are named by.</summary>
    public LogFileNaming Naming { get; } = naming;

    /// <summary>The dated scheme's name of the file of <paramref name="day"/> numbered <paramref name="sequence"/>.</summary>
    public string Dated(DateTime day, int? sequence) => Named(string.Empty, day, sequence);

    /// <summary>The name the stable file takes when it rolls on <paramref name="day"/>: the first of that day not taken, compressed or not.</summary>
    public string Rolled(DateTime day)
    {
        var taken = Existing().Where(f => f.Stable && f.Day == day).Select(f => f.Sequence ?? 0).DefaultIfEmpty(-1).Max();
        return Named("-", day, taken < 0 ? null : taken + 1);
    }

    /// <summary>Every file of this log in <see cref="Directory"/>, in no order.</summary>
    public IEnumerable<LogFileName> Existing()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            yield break;
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, _prefix + "*"))
        {
            if (Parse(file) is { } name)
            {
                yield return name;
            }
        }
    }

    private LogFileName? Parse(string file)
    {
        var name = System.IO.Path.GetFileName(file.AsSpan());
        // Both suffixes are recognised whatever Compression says now, so a change of it keeps the older files' retention.
        var compression = name.EndsWith(GzipSuffix, StringComparison.Ordinal) ? GzipSuffix : name.EndsWith(ZstdSuffix, StringComparison.Ordinal) ? ZstdSuffix : null;
        var compressed = compression is not null;
        if (compressed)
        {
            name = name[..^compression!.Length];
        }

        if (!name.StartsWith(_prefix, StringComparison.Ordinal) || !name.EndsWith(_extension, StringComparison.Ordinal) || name.Length < _prefix.Length + _extension.Length)
        {
            return null;
        }

        var middle = name[_prefix.Length..^_extension.Length];
        if (middle.IsEmpty)
        {
            return compressed ? null : new LogFileName(file, DateTime.MaxValue, null, false, true);
        }

        var stable = middle[0] == '-';
        if (stable)
        {
            middle = middle[1..];
        }

        if (middle.Length < 8 || !DateTime.TryParseExact(middle[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return null;
        }

        var suffix = middle[8..];
        if (suffix.IsEmpty)
        {
            return new LogFileName(file, day, null, compressed, stable);
        }

        return suffix.Length >= 4 && suffix[0] == '_' && int.TryParse(suffix[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? new LogFileName(file, day, sequence, compressed, stable)
            : null;
    }

    private string Named(string separator, DateTime day, int? sequence) => System.IO.Path.Combine(
        Directory,
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}{separator}{day:yyyyMMdd}{(sequence is { } s ? "_" + s.ToString("000", CultureInfo.InvariantCulture) : string.Empty)}{_extension}"));
}
