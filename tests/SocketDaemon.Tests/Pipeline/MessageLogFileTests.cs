using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Configuration;

namespace SocketDaemon.Tests.Pipeline;

/// <summary>
/// The message log's files as an operator handles them, with real files: deleted while open (<c>rm</c>, <c>rm -rf</c>
/// of the directory), named stably for <c>tail -F</c>, gzipped once rolled, kept by count, age and total size.
/// </summary>
public class MessageLogFileTests
{
    private static string Today => DateTime.Now.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_file_deleted_while_open_is_opened_anew_by_name_with_every_line_committed_since()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory.Combine("messages.log"));
        var current = directory.Combine("messages.log");
        await EnqueueAsync(writer, "before\n");
        await writer.CommitAsync();

        File.Delete(current);
        await EnqueueAsync(writer, "after 1\n");
        await EnqueueAsync(writer, "after 2\n");
        await writer.CommitAsync();

        Assert.Equal("after 1\nafter 2\n", MessageLog.ReadShared(current));
        Assert.Equal(1, writer.ReopenedDeleted);
    }

    [Fact]
    public async Task A_removed_log_directory_is_made_again_and_every_line_committed_since_is_in_it()
    {
        using var directory = new TempDirectory();
        var logs = directory.Combine("logs");
        using var writer = Create(Path.Combine(logs, "messages.log"));
        await EnqueueAsync(writer, "before\n");
        await writer.CommitAsync();

        Directory.Delete(logs, recursive: true);
        for (var i = 0; i < 3; i++)
        {
            await EnqueueAsync(writer, $"after {i}\n");
            await writer.CommitAsync();
        }

        Assert.Equal("after 0\nafter 1\nafter 2\n", MessageLog.ReadShared(Path.Combine(logs, "messages.log")));
    }

    [Fact]
    public async Task A_removed_directory_that_cannot_be_made_again_holds_the_commit_and_its_lines_are_written_when_it_can()
    {
        using var directory = new TempDirectory();
        var logs = directory.Combine("logs");
        using var writer = new MessageLogWriter(Path.Combine(logs, "messages.log"), MessageDurability.Flush, NullLogger.Instance, directory.Combine("spool"));
        await EnqueueAsync(writer, "before\n");
        await writer.CommitAsync();

        // Removed, and its name taken by a file: the writer can neither reopen it nor make it again.
        Directory.Delete(logs, recursive: true);
        File.WriteAllText(logs, "not a directory");
        await EnqueueAsync(writer, "after the removal\n");
        var commit = writer.CommitAsync();
        await Wait.UntilAsync(() => writer.Fault is not null, "the writer to meet the fault");
        Assert.False(commit.IsCompleted);

        File.Delete(logs);
        await commit;

        Assert.Equal("after the removal\n", MessageLog.ReadShared(Path.Combine(logs, "messages.log")));
        Assert.Equal(1, writer.ReopenedDeleted);
    }

    [Fact]
    public async Task By_default_the_file_written_is_always_messages_log_and_rolled_files_carry_their_day()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory.Combine("messages.log"));
        writer.Configure(sizeLimit: 10, retainedFileCount: 31);

        await EnqueueAsync(writer, "12345\n1234567890\nsecond file\nthird\n");
        await writer.CommitAsync();

        Assert.Equal("12345\n1234567890\n", MessageLog.ReadShared(directory.Combine($"messages-{Today}.log")));
        Assert.Equal("second file\n", MessageLog.ReadShared(directory.Combine($"messages-{Today}_001.log")));
        Assert.Equal("third\n", MessageLog.ReadShared(directory.Combine("messages.log")));
        Assert.Equal(directory.Combine("messages.log"), writer.CurrentFile);
    }

    [Fact]
    public async Task Rolled_files_are_gzipped_in_the_background_and_the_file_written_is_not()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory.Combine("messages.log"), new LogFileOptions { Naming = LogFileNaming.Stable, Compression = LogFileCompression.Gzip });
        writer.Configure(sizeLimit: 10, retainedFileCount: 31);

        await EnqueueAsync(writer, "first line\nsecond line\n");
        await writer.CommitAsync();
        await writer.Compressing;

        var rolled = directory.Combine($"messages-{Today}.log");
        Assert.False(File.Exists(rolled));
        await using (var gzip = new GZipStream(File.OpenRead(rolled + ".gz"), CompressionMode.Decompress))
        {
            Assert.Equal("first line\n", await new StreamReader(gzip, Encoding.UTF8).ReadToEndAsync());
        }

        Assert.Equal("second line\n", MessageLog.ReadShared(directory.Combine("messages.log")));
    }

    [Fact]
    public async Task Rolled_files_compressed_with_zstd_read_back_with_zstdcat_and_count_for_retention()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory.Combine("messages.log"), new LogFileOptions { Compression = LogFileCompression.Zstd });
        writer.Configure(sizeLimit: 10, retainedFileCount: 3);

        await EnqueueAsync(writer, "first line\nsecond line\nthird line\nfourth line\n");
        await writer.CommitAsync();
        await writer.Compressing;

        // Four lines, one to a file: three rolled, and the count limit (3, the file written included) keeps two of them.
        var files = Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal([$"messages-{Today}_001.log.zst", $"messages-{Today}_002.log.zst", "messages.log"], files);
        var zstdcat = Process.Start(new ProcessStartInfo("zstdcat", [directory.Combine($"messages-{Today}_002.log.zst")]) { RedirectStandardOutput = true })!;
        var text = await zstdcat.StandardOutput.ReadToEndAsync();
        await zstdcat.WaitForExitAsync();
        Assert.Equal(0, zstdcat.ExitCode);
        Assert.Equal("third line\n", text);
        Assert.Equal("fourth line\n", MessageLog.ReadShared(directory.Combine("messages.log")));
    }

    [Fact]
    public async Task Rolled_files_past_the_total_size_are_deleted_oldest_first_at_the_next_roll()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory.Combine("messages.log"), new LogFileOptions { Naming = LogFileNaming.Dated, RetainedTotalBytes = 250 });
        writer.Configure(sizeLimit: 100, retainedFileCount: 31);
        var line = new string('x', 99) + "\n";

        await EnqueueAsync(writer, string.Concat(Enumerable.Repeat(line, 10)));
        await writer.CommitAsync();

        // One line to a file, _009 the last; when it was opened (empty) the two before it fitted within 250 bytes.
        var files = Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal([$"messages{Today}_007.log", $"messages{Today}_008.log", $"messages{Today}_009.log"], files);
    }

    [Fact]
    public async Task Rolled_files_older_than_the_retained_age_are_deleted_and_newer_ones_kept()
    {
        using var directory = new TempDirectory();
        var old = directory.Combine("messages20200101.log");
        var recent = directory.Combine("messages-20200102.log.gz");
        File.WriteAllText(old, "old\n");
        File.WriteAllText(recent, "recent\n");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-40));
        File.SetLastWriteTimeUtc(recent, DateTime.UtcNow.AddDays(-20));
        using var writer = Create(directory.Combine("messages.log"), new LogFileOptions { Naming = LogFileNaming.Dated, RetainedAge = TimeSpan.FromDays(30) });

        await EnqueueAsync(writer, "new\n");
        await writer.CommitAsync();

        var files = Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["messages-20200102.log.gz", $"messages{Today}.log"], files);
    }

    private static MessageLogWriter Create(string path, LogFileOptions? files = null) =>
        new(path, MessageDurability.Flush, NullLogger.Instance, files: files);

    private static ValueTask EnqueueAsync(MessageLogWriter writer, string lines)
    {
        var bytes = Encoding.UTF8.GetBytes(lines);
        var chunk = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(chunk, 0);
        return writer.EnqueueAsync(chunk, bytes.Length);
    }
}
