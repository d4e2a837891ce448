using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Syslog;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Configuration;

namespace SocketDaemon.Tests.Pipeline;

/// <summary>The open files of a templated Log step: bounded, least recently used closed, committed when closed.</summary>
public class DynamicLogFilesTests
{
    private static DynamicLogFiles Create(TempDirectory directory, int maxOpenFiles, string template = "apps/{AppName}.log")
    {
        Assert.True(LogPathTemplate.TryParse(template, out var parsed, out _));
        var files = new DynamicLogFiles(parsed!, directory.Path, p => new MessageLogWriter(p, MessageDurability.Flush, NullLogger.Instance, files: new LogFileOptions { Naming = LogFileNaming.Stable }));
        files.Configure(1L << 30, 31, maxOpenFiles);
        return files;
    }

    private static DynamicLogFile Acquire(DynamicLogFiles files, string key) => files.TryAcquire(key, out _) ?? throw new InvalidOperationException(key + " is closing");

    private static string[] OpenNames(DynamicLogFiles files) =>
        [.. files.Writers.Select(w => Path.GetFileNameWithoutExtension(w.Path)).Order(StringComparer.Ordinal)];

    [Fact]
    public void The_least_recently_used_file_is_closed_when_a_new_one_passes_the_bound()
    {
        using var directory = new TempDirectory();
        using var files = Create(directory, maxOpenFiles: 2);

        files.Release(Acquire(files, "apps/a.log"));
        files.Release(Acquire(files, "apps/b.log"));
        files.Release(Acquire(files, "apps/a.log"));
        files.Release(Acquire(files, "apps/c.log"));

        Assert.Equal(["a", "c"], OpenNames(files));
        Assert.Equal((3, 1), (files.Opened, files.Closed));
    }

    [Fact]
    public void A_file_a_connection_holds_lines_for_is_closed_only_once_it_lets_go()
    {
        using var directory = new TempDirectory();
        using var files = Create(directory, maxOpenFiles: 1);

        var held = Acquire(files, "apps/a.log");
        files.Release(Acquire(files, "apps/b.log"));
        var c = Acquire(files, "apps/c.log");

        Assert.Equal(["a", "c"], OpenNames(files));
        files.Release(held);
        Assert.Equal(["c"], OpenNames(files));
        files.Release(c);
    }

    [Fact]
    public async Task A_commit_covers_the_lines_of_a_file_closed_since_they_were_queued()
    {
        using var directory = new TempDirectory();
        using var files = Create(directory, maxOpenFiles: 1);

        var a = Acquire(files, "apps/a.log");
        var line = Encoding.UTF8.GetBytes("to a\n");
        var chunk = ArrayPool<byte>.Shared.Rent(line.Length);
        line.CopyTo(chunk, 0);
        await a.Writer.EnqueueAsync(chunk, line.Length);
        files.Release(a);
        files.Release(Acquire(files, "apps/b.log"));
        await files.CommitAsync();

        Assert.Equal("to a\n", MessageLog.ReadShared(directory.Combine("apps/a.log")));
        Assert.True(a.IsClosed);
    }

    // The message and what a Parse step found in it, parsed once here: these tests measure what comes after the parse.
    private static MessageContext Parse(MessageContext context, (byte[] Bytes, SyslogHeader Header) message)
    {
        context.SetMessage(new ReadOnlySequence<byte>(message.Bytes), DateTimeOffset.UnixEpoch);
        context.Fields.Join(context.Payload);
        context.Fields.Set(message.Header);
        return context;
    }

    private static (byte[], SyslogHeader) Message(string appName)
    {
        var bytes = Encoding.UTF8.GetBytes($"<13>1 2026-12-03T08:00:00Z host {appName} - - - hello");
        Assert.True(SyslogParser.TryParse(bytes, out var header));
        return (bytes, header);
    }

    // Synchronous, so that one thread's allocations are measured: a step waits only when a writer's queue is full.
    private static void Complete(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void Finding_the_file_of_a_message_allocates_nothing_once_its_file_is_open()
    {
        using var directory = new TempDirectory();
        using var files = Create(directory, maxOpenFiles: 4);
        var slot = new DynamicLogSlot(files);
        var context = new MessageContext("tcp", 1, PeerInfo.Unknown, new NoServices()) { BatchWrites = true };
        (byte[], SyslogHeader)[] messages = [Message("alpha"), Message("beta"), Message("beta"), Message("gamma")];

        // The same file as the last message (a comparison), another open file (a lookup), one let go at a batch's end (pinned again).
        void Run(int count)
        {
            for (var i = 0; i < count; i++)
            {
                slot.Render(Parse(context, messages[i % messages.Length]));
                Assert.True(slot.TrySelect());
                if (i % 3 == 0)
                {
                    Complete(slot.FlushAsync());
                }
            }
        }

        Run(100);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3, files.Opened);
        Complete(slot.FlushAsync());
    }

    [Fact]
    public async Task Interleaved_connections_each_write_every_line_to_their_own_file()
    {
        using var directory = new TempDirectory();
        using var files = Create(directory, maxOpenFiles: 4);
        var handler = new DynamicLogHandler(files, json: false);

        // Two connections, each writing to its own file, their messages interleaved.
        MessageContext[] contexts = [.. Enumerable.Range(1, 2).Select(id => new MessageContext("tcp", id, PeerInfo.Unknown, new NoServices()) { BatchWrites = true })];
        (byte[], SyslogHeader)[] messages = [Message("alpha"), Message("beta")];

        void Run(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Complete(handler.InvokeAsync(Parse(contexts[i % 2], messages[i % 2])));
            }
        }

        Run(20_000);
        foreach (var context in contexts)
        {
            Complete(context.FlushAsync());
        }

        await files.CommitAsync();
        Run(40_000);
        foreach (var context in contexts)
        {
            Complete(context.FlushAsync());
        }

        await files.CommitAsync();

        Assert.Equal(["alpha", "beta"], OpenNames(files));
        Assert.Equal(30_000, MessageLog.ReadShared(directory.Combine("apps/alpha.log")).Count(c => c == '\n'));
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
