using System.Text;

namespace SocketDaemon.Cli.Internal;

/// <summary>The last lines of the daemon's message log, read from the file on this host (<c>socketctl tail -n</c>).</summary>
internal static class LogFileTail
{
    /// <summary>Where the packaged unit's <c>LogsDirectory=socketdaemon</c> puts the log.</summary>
    public const string DefaultDirectory = "/var/log/socketdaemon";

    /// <summary>
    /// The file to read: <paramref name="path"/> itself, or in a directory the <c>.log</c> file written last (the
    /// current one, whichever naming scheme rolls them).
    /// </summary>
    /// <exception cref="IOException">Nothing to read there.</exception>
    public static string Resolve(string path)
    {
        if (File.Exists(path))
        {
            return path;
        }

        if (!Directory.Exists(path))
        {
            throw new IOException($"{path} does not exist; --log names the daemon's message log or its directory");
        }

        // The default Log step's file is messages*.log; the daemon's own log may sit beside it.
        var files = new DirectoryInfo(path).EnumerateFiles("*.log").OrderByDescending(f => f.LastWriteTimeUtc).ToList();
        return (files.FirstOrDefault(f => f.Name.StartsWith("messages", StringComparison.Ordinal)) ?? files.FirstOrDefault())?.FullName
            ?? throw new IOException($"{path} holds no .log file; --log names the daemon's message log or its directory");
    }

    /// <summary>The last <paramref name="count"/> lines of <paramref name="file"/>, read backwards from its end in blocks.</summary>
    public static IReadOnlyList<string> LastLines(string file, int count)
    {
        if (count <= 0)
        {
            return [];
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var end = stream.Length;
        var position = end;
        var block = new byte[64 * 1024];
        var collected = new List<byte[]>();
        var newlines = 0;
        while (position > 0 && newlines <= count)
        {
            var size = (int)Math.Min(block.Length, position);
            position -= size;
            stream.Position = position;
            stream.ReadExactly(block, 0, size);
            collected.Insert(0, block[..size]);
            newlines += block.AsSpan(0, size).Count((byte)'\n');
        }

        var text = Encoding.UTF8.GetString([.. collected.SelectMany(b => b)]);
        var lines = text.Split('\n');

        // The text after the last newline is a line still being written: left for the live follow.
        var complete = lines[..^1];
        return complete.Length <= count ? complete : complete[^count..];
    }
}
