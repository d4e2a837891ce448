using System.Text;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>Reads the daemon's real message log files, as an operator would with <c>tail</c>.</summary>
public sealed class MessageLog(string directory)
{
    private const string TextSeparator = ": ";

    public string Directory { get; } = directory;

    /// <summary>Every line of every <c>messages*.log</c>, oldest file first.</summary>
    public IReadOnlyList<string> Lines()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var lines = new List<string>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "messages*.log").Order(StringComparer.Ordinal))
        {
            var content = ReadShared(file);
            var complete = content.LastIndexOf('\n');
            if (complete >= 0)
            {
                lines.AddRange(content[..complete].Split('\n'));
            }
        }

        return lines;
    }

    /// <summary>Reads a file the daemon still holds open for writing, sharing it as tail(1) would.</summary>
    public static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream, Encoding.UTF8).ReadToEnd();
    }

    /// <summary>The message text of every line: what follows <c>#id: </c>.</summary>
    public IReadOnlyList<string> Texts() => [.. Lines().Select(TextOf)];

    public static string TextOf(string line)
    {
        var hash = line.IndexOf(" #", StringComparison.Ordinal);
        var separator = line.IndexOf(TextSeparator, hash, StringComparison.Ordinal);
        return line[(separator + TextSeparator.Length)..];
    }

    /// <summary>Waits until at least <paramref name="count"/> messages are in the log, and returns the texts.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        IReadOnlyList<string> texts = [];
        try
        {
            await Wait.UntilAsync(() => (texts = Texts()).Count >= count, $"{count} messages in the log", timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} The log has {texts.Count}.", ex);
        }

        return texts;
    }

    /// <summary>Waits until <paramref name="text"/> is logged, and returns its whole line.</summary>
    public async Task<string> WaitForTextAsync(string text, TimeSpan? timeout = null)
    {
        string? line = null;
        await Wait.UntilAsync(() => (line = Lines().FirstOrDefault(l => TextOf(l) == text)) is not null, $"'{text}' in the log", timeout);
        return line!;
    }
}
