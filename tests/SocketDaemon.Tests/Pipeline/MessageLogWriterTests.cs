using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Configuration;

namespace SocketDaemon.Tests.Pipeline;

/// <summary>The message log writer writes real files, named and rolled as Serilog's file sink names and rolls them.</summary>
public class MessageLogWriterTests
{
    private static string Today => DateTime.Now.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Commit_completes_when_everything_queued_before_it_is_in_the_file()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory, MessageDurability.Fsync);

        await EnqueueAsync(writer, "first\nsecond\n");
        await EnqueueAsync(writer, "third\n");
        await writer.CommitAsync();

        Assert.Equal("first\nsecond\nthird\n", MessageLog.ReadShared(directory.Combine($"messages{Today}.log")));
    }

    [Fact]
    public async Task A_full_file_rolls_to_numbered_files_and_only_the_newest_are_kept()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory);
        writer.Configure(sizeLimit: 1000, retainedFileCount: 3);
        var line = new string('x', 99) + "\n";

        for (var chunk = 0; chunk < 10; chunk++)
        {
            await EnqueueAsync(writer, string.Concat(Enumerable.Repeat(line, 7)));
        }

        await writer.CommitAsync();

        // 70 lines of 100 bytes, 10 to a file (the tenth reaches the limit): messages.log, _001 ... _006; three kept.
        var files = Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal([$"messages{Today}_004.log", $"messages{Today}_005.log", $"messages{Today}_006.log"], files);
        Assert.All(files, f => Assert.Equal(string.Concat(Enumerable.Repeat(line, 10)), MessageLog.ReadShared(directory.Combine(f!))));
    }

    [Fact]
    public async Task The_line_that_crosses_the_size_limit_is_written_whole_before_the_roll()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory);
        writer.Configure(sizeLimit: 10, retainedFileCount: 31);

        await EnqueueAsync(writer, "12345\n1234567890\nnext\n");
        await writer.CommitAsync();

        Assert.Equal("12345\n1234567890\n", MessageLog.ReadShared(directory.Combine($"messages{Today}.log")));
        Assert.Equal("next\n", MessageLog.ReadShared(directory.Combine($"messages{Today}_001.log")));
    }

    [Fact]
    public async Task After_a_restart_the_newest_file_of_the_day_is_continued()
    {
        using var directory = new TempDirectory();
        using (var writer = Create(directory))
        {
            await EnqueueAsync(writer, "before\n");
        }

        using (var writer = Create(directory))
        {
            await EnqueueAsync(writer, "after\n");
            await writer.CommitAsync();
        }

        Assert.Equal("before\nafter\n", MessageLog.ReadShared(directory.Combine($"messages{Today}.log")));
    }

    [Fact]
    public async Task Reopen_after_logrotate_renamed_the_file_starts_a_new_one()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory);
        var current = directory.Combine($"messages{Today}.log");
        await EnqueueAsync(writer, "old\n");
        await writer.CommitAsync();

        File.Move(current, current + ".1");
        writer.Reopen();
        await EnqueueAsync(writer, "new\n");
        await writer.CommitAsync();

        Assert.Equal("old\n", MessageLog.ReadShared(current + ".1"));
        Assert.Equal("new\n", MessageLog.ReadShared(current));
    }

    [Fact]
    public async Task While_the_file_cannot_be_written_the_queue_fills_and_waits_and_then_everything_is_written_in_order()
    {
        using var directory = new TempDirectory();
        using var writer = CreateBlocked(directory, out var blocked);

        await EnqueueAsync(writer, "line 0\n");
        await Wait.UntilAsync(() => writer.Fault is not null, "the writer to report its fault");

        // The writer retries its batch and takes no more: the queue fills, then handing over waits.
        var sent = 1;
        ValueTask pending;
        do
        {
            pending = EnqueueAsync(writer, $"line {sent++}\n");
        }
        while (pending.IsCompleted && sent <= 10 * MessageLogWriter.QueueCapacity);

        Assert.Equal(MessageLogWriter.QueueCapacity + 2, sent);
        Assert.True(writer.IsFull);
        var commit = writer.CommitAsync();

        File.Delete(blocked);
        await pending;
        await commit;

        Assert.Null(writer.Fault);
        var lines = MessageLog.ReadShared(Path.Combine(blocked, $"messages{Today}.log")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, sent).Select(i => $"line {i}"), lines);
    }

    [Fact]
    public async Task While_the_file_cannot_be_written_lines_go_to_the_spool_and_are_written_first_when_it_clears()
    {
        using var directory = new TempDirectory();
        var blocked = directory.Combine("logs");
        await File.WriteAllTextAsync(blocked, "not a directory");
        using var writer = new MessageLogWriter(Path.Combine(blocked, "messages.log"), MessageDurability.Fsync, NullLogger.Instance, directory.Combine("spool"), files: DatedFiles);

        // Far more than the queue holds is taken: readers go on while the spool has room. The commit waits.
        var count = 4 * MessageLogWriter.QueueCapacity;
        for (var i = 0; i < count; i++)
        {
            await EnqueueAsync(writer, $"line {i}\n").AsTask().WaitAsync(Wait.Timeout);
        }

        var commit = writer.CommitAsync();
        await Wait.UntilAsync(() => writer.Fault is not null && writer.SpooledBytes > 0, "the lines to wait in the spool");
        Assert.False(commit.IsCompleted);

        File.Delete(blocked);
        await EnqueueAsync(writer, "after the fault\n");
        await commit.WaitAsync(Wait.Timeout);
        await writer.CommitAsync().WaitAsync(Wait.Timeout);

        Assert.Null(writer.Fault);
        var lines = MessageLog.ReadShared(Path.Combine(blocked, $"messages{Today}.log")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"line {i}").Append("after the fault"), lines);
    }

    [Fact]
    public async Task Lines_left_in_the_spool_by_a_stop_are_written_first_by_the_next_run()
    {
        using var directory = new TempDirectory();
        var blocked = directory.Combine("logs");
        var log = Path.Combine(blocked, "messages.log");
        await File.WriteAllTextAsync(blocked, "not a directory");
        using (var writer = new MessageLogWriter(log, MessageDurability.Flush, NullLogger.Instance, directory.Combine("spool"), files: DatedFiles))
        {
            await EnqueueAsync(writer, "spooled 1\nspooled 2\n");
            await Wait.UntilAsync(() => writer.SpooledBytes > 0, "the lines to wait in the spool");
        }

        File.Delete(blocked);
        using (var writer = new MessageLogWriter(log, MessageDurability.Flush, NullLogger.Instance, directory.Combine("spool"), files: DatedFiles))
        {
            await EnqueueAsync(writer, "new\n");
            await writer.CommitAsync().WaitAsync(Wait.Timeout);
        }

        Assert.Equal("spooled 1\nspooled 2\nnew\n", MessageLog.ReadShared(Path.Combine(blocked, $"messages{Today}.log")));
    }

    [Fact]
    public async Task A_claim_is_recorded_with_where_its_chunk_lands_before_the_write_and_marked_written_after_it()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory);
        writer.Configure(sizeLimit: 10, retainedFileCount: 31);
        var journal = new RecordingJournal();
        var plain = new TestClaim(journal, 1);
        var cut = new TestClaim(journal, 2);

        // "b" fills the first file; the second chunk's last line goes to the next one, where its claim is made.
        await EnqueueAsync(writer, "aaaa\n", plain);
        await EnqueueAsync(writer, "bbbbbbbbbb\ncc\n", cut);
        await writer.CommitAsync();

        var first = directory.Combine($"messages{Today}.log");
        var second = directory.Combine($"messages{Today}_001.log");
        // Whether the two chunks went in one write or two, each claim names the file and bytes its chunk ends in.
        Assert.Equal(
            [(first, 0L, 1UL, 0L, 5L, 0L), (second, 0L, 2UL, 0L, 3L, 0L)],
            journal.Records.Select(r => (r.Path, r.WriteStart, r.Position, r.Start, r.End, r.FileLength)));
        Assert.All(journal.Records, r => Assert.True(r.WriteEnd >= r.End));
        Assert.True(plain.Written && cut.Written);
        Assert.Equal("cc\n", MessageLog.ReadShared(second));
    }

    [Fact]
    public async Task A_writer_that_fell_behind_catches_up_in_writes_of_at_most_WriteChunks_chunks()
    {
        using var directory = new TempDirectory();
        using var writer = CreateBlocked(directory, out var blocked);
        var journal = new RecordingJournal();
        const int behind = (2 * MessageLogWriter.WriteChunks) + 8;

        // The writer holds the first chunk and retries it while the rest queue up behind it.
        await EnqueueAsync(writer, "line 0\n", new TestClaim(journal, 0));
        await Wait.UntilAsync(() => writer.Fault is not null, "the writer to meet the fault");
        for (var i = 1; i <= behind; i++)
        {
            await EnqueueAsync(writer, $"line {i}\n", new TestClaim(journal, (ulong)i));
        }

        File.Delete(blocked);
        await writer.CommitAsync().WaitAsync(Wait.Timeout);

        var lines = MessageLog.ReadShared(Path.Combine(blocked, $"messages{Today}.log")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, behind + 1).Select(i => $"line {i}"), lines);
        var chunksPerWrite = journal.Records.GroupBy(r => r.WriteStart).Select(w => w.Count());
        Assert.Equal([1, MessageLogWriter.WriteChunks, MessageLogWriter.WriteChunks, 8], chunksPerWrite);
    }

    [Fact]
    public async Task Full_size_chunks_go_back_to_the_writers_pool_once_written_and_the_next_lines_reuse_them()
    {
        using var directory = new TempDirectory();
        using var writer = Create(directory);
        var chunks = new List<byte[]>();
        for (var i = 0; i < 3; i++)
        {
            var chunk = writer.Chunks.Rent(MessageLogWriter.ChunkBytes);
            var length = Encoding.UTF8.GetBytes($"line {i}\n", chunk);
            chunks.Add(chunk);
            await writer.EnqueueAsync(chunk, length);
        }

        await writer.CommitAsync();

        Assert.Equal("line 0\nline 1\nline 2\n", MessageLog.ReadShared(directory.Combine($"messages{Today}.log")));

        // The commit completes right after the write; the chunks go back just after that.
        await Wait.UntilAsync(() => writer.Chunks.Count == 3, "the written chunks to go back to the pool");
        Assert.Contains(writer.Chunks.Rent(MessageLogWriter.ChunkBytes), chunks);
        Assert.Equal(2, writer.Chunks.Count);

        // A small request is not worth a 64 KiB chunk: it comes from the shared pool.
        Assert.True(writer.Chunks.Rent(4096).Length < MessageLogWriter.ChunkBytes);
    }

    [Fact]
    public void The_chunk_pool_keeps_at_most_its_capacity_and_drops_the_rest_to_the_shared_pool()
    {
        var pool = new LogChunkPool(capacity: 2);
        var chunks = Enumerable.Range(0, 3).Select(_ => pool.Rent(MessageLogWriter.ChunkBytes)).ToList();

        chunks.ForEach(pool.Return);

        Assert.Equal(2, pool.Count);
    }

    /// <summary>Remembers each record with the length its file had then: the write had not begun.</summary>
    private sealed class RecordingJournal : ILogClaimJournal
    {
        public List<(string Path, long WriteStart, long WriteEnd, ulong Position, long Start, long End, long FileLength)> Records { get; } = [];

        public void Record(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
        {
            foreach (var claim in claims)
            {
                Records.Add((path, writeStart, writeEnd, claim.Position, claim.Start, claim.End, new FileInfo(path).Length));
            }
        }

        public void FileOpened(string path)
        {
        }

        public void RecoverFiles()
        {
        }
    }

    private sealed class TestClaim(ILogClaimJournal journal, ulong position) : LogClaim(journal, position);

    // These tests name files by day, as Serilog's file sink does (LogFiles:Naming Dated); MessageLogFileTests covers the
    // default stable name.
    private static readonly LogFileOptions DatedFiles = new() { Naming = LogFileNaming.Dated };

    private static MessageLogWriter Create(TempDirectory directory, MessageDurability durability = MessageDurability.Flush) =>
        new(directory.Combine("messages.log"), durability, NullLogger.Instance, files: DatedFiles);

    // The log directory's name is taken by a file: nothing can be written until it is removed.
    private static MessageLogWriter CreateBlocked(TempDirectory directory, out string blocked)
    {
        blocked = directory.Combine("logs");
        File.WriteAllText(blocked, "not a directory");
        return new MessageLogWriter(Path.Combine(blocked, "messages.log"), MessageDurability.Flush, NullLogger.Instance, files: DatedFiles);
    }

    private static ValueTask EnqueueAsync(MessageLogWriter writer, string lines, LogClaim? claim = null)
    {
        var bytes = Encoding.UTF8.GetBytes(lines);
        var chunk = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(chunk, 0);
        return writer.EnqueueAsync(chunk, bytes.Length, claim);
    }
}
