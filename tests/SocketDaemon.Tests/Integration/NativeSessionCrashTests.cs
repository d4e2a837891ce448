using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using SocketDaemon.Client;
using SocketDaemon.Client.Internal;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// A daemon killed while its log writer wrote a session's batch: the lines are in the file (whole or torn), the
/// acknowledgement never went out, and the sender sends the batch again to the restarted daemon. The states a kill
/// leaves are built on disk as the writer leaves them (docs/operations.md, "State files"): the lines, and the claim
/// the writer recorded in the sessions journal before its write.
/// </summary>
public class NativeSessionCrashTests
{
    [Fact]
    public async Task A_batch_whose_lines_were_written_before_the_kill_is_logged_once_when_sent_again()
    {
        using var directory = new TempDirectory();
        var session = Guid.NewGuid();
        var file = await LogFirstBatchAsync(directory, session);

        // Killed after the write of "c" and "d" returned, before the commit and the acknowledgement.
        var (start, end) = AppendLines(file, "c", "d");
        AppendClaim(directory, file, session, position: 4, start, end, writeEnd: end);

        var texts = await RestartAndSendAgainAsync(directory, session, 3, "c", "d", "e");

        Assert.Equal(["a", "b", "c", "d", "e"], texts);
    }

    [Fact]
    public async Task A_batch_torn_by_the_kill_is_cut_off_the_file_and_logged_whole_when_sent_again()
    {
        using var directory = new TempDirectory();
        var session = Guid.NewGuid();
        var file = await LogFirstBatchAsync(directory, session);

        // Killed in the middle of the write: "c" whole, "d" half.
        var lines = LinesLike(file, "c", "d");
        var start = new FileInfo(file).Length;
        var end = start + lines.Length;
        File.AppendAllText(file, lines[..(lines.Length - 4)]);
        AppendClaim(directory, file, session, position: 4, start, end, writeEnd: end);

        var texts = await RestartAndSendAgainAsync(directory, session, 3, "c", "d", "e");

        Assert.Equal(["a", "b", "c", "d", "e"], texts);
        Assert.EndsWith("\n", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_claim_whose_lines_never_reached_the_file_leaves_the_session_where_it_was()
    {
        using var directory = new TempDirectory();
        var session = Guid.NewGuid();
        var file = await LogFirstBatchAsync(directory, session);

        // Killed after the claim was recorded, before the write began.
        var length = new FileInfo(file).Length;
        AppendClaim(directory, file, session, position: 4, length, length + 100, writeEnd: length + 100);

        var texts = await RestartAndSendAgainAsync(directory, session, 3, "c", "d");

        Assert.Equal(["a", "b", "c", "d"], texts);
    }

    [Fact]
    public async Task A_log_file_rotated_and_reopened_is_not_cut_by_the_claims_of_the_file_before_it()
    {
        using var directory = new TempDirectory();
        var daemon = await DaemonProcess.StartAsync(directory);
        try
        {
            await using (var connection = await OpenSessionAsync(SocketEndpoint.Parse(daemon.Endpoint), Guid.NewGuid()))
            {
                Assert.Equal(50, (await SendAsync(connection, 1, [.. Enumerable.Range(0, 50).Select(i => $"session {i} {new string('x', 100)}")])).Accepted);
            }

            // logrotate renames the file and sends SIGHUP; the daemon writes a new, shorter file of the same name.
            var current = Directory.GetFiles(daemon.Log.Directory, "messages*.log").Single();
            File.Move(current, directory.Combine("logs/rotated.log.1"));
            daemon.Process.Signal(ChildProcess.SIGHUP);
            await Wait.UntilAsync(() => MessageLog.ReadShared(Directory.GetFiles(daemon.Log.Directory, "socketdaemon*.log").Single()).Contains("Reloaded", StringComparison.Ordinal), "the reload");
            await using (var client = await SocketDaemonClient.ConnectAsync(SocketEndpoint.Parse(daemon.Endpoint)))
            {
                await client.SendAsync("after the rotation");
            }

            daemon.Process.Signal(9);
            await daemon.Process.WaitForExitAsync();
            await daemon.DisposeAsync();
            daemon = await DaemonProcess.StartAsync(directory);

            Assert.Equal(["after the rotation"], daemon.Log.Texts());
        }
        finally
        {
            await daemon.DisposeAsync();
        }
    }

    private static Dictionary<string, string?> Settings(TempDirectory directory) => new()
    {
        ["SocketDaemon:StateDirectory"] = directory.Combine("state"),
        ["SocketDaemon:LogDirectory"] = directory.Combine("logs"),
    };

    // "a" and "b" (messages 1 and 2) logged and acknowledged; returns the log file.
    private static async Task<string> LogFirstBatchAsync(TempDirectory directory, Guid session)
    {
        await using var daemon = await TestDaemon.StartAsync(Settings(directory));
        await using var connection = await OpenSessionAsync(daemon.Unix, session);
        Assert.Equal(2, (await SendAsync(connection, 1, "a", "b")).Accepted);
        return Assert.Single(Directory.GetFiles(directory.Combine("logs"), "messages*.log"));
    }

    private static async Task<IReadOnlyList<string>> RestartAndSendAgainAsync(TempDirectory directory, Guid session, ulong sequence, params string[] messages)
    {
        await using var daemon = await TestDaemon.StartAsync(Settings(directory));
        await using var connection = await OpenSessionAsync(daemon.Unix, session);
        var reply = await SendAsync(connection, sequence, messages);
        Assert.Equal(messages.Length, reply.Accepted);
        return new MessageLog(directory.Combine("logs")).Texts();
    }

    // Lines as the daemon writes them: the first line's prefix, another text.
    private static string LinesLike(string file, params string[] texts)
    {
        var first = File.ReadLines(file).First();
        var prefix = first[..(first.Length - MessageLog.TextOf(first).Length)];
        return string.Concat(texts.Select(t => prefix + t + "\n"));
    }

    private static (long Start, long End) AppendLines(string file, params string[] texts)
    {
        var start = new FileInfo(file).Length;
        File.AppendAllText(file, LinesLike(file, texts));
        return (start, new FileInfo(file).Length);
    }

    /// <summary>
    /// What the writer records before a write: <c>'C'</c>, the path (u16 length, UTF-8), the write's start and end
    /// (i64), the number of claims (u16), then per claim the session id (16 bytes, big-endian), the position (u64) and
    /// the chunk's start and end (i64); all big-endian, one record of the sessions journal.
    /// </summary>
    private static void AppendClaim(TempDirectory directory, string file, Guid session, ulong position, long start, long end, long writeEnd)
    {
        var path = Encoding.UTF8.GetBytes(Path.GetFullPath(file));
        var record = new byte[1 + 2 + path.Length + 8 + 8 + 2 + 40];
        record[0] = (byte)'C';
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(1), (ushort)path.Length);
        path.CopyTo(record, 3);
        var at = record.AsSpan(3 + path.Length);
        BinaryPrimitives.WriteInt64BigEndian(at, start);
        BinaryPrimitives.WriteInt64BigEndian(at[8..], writeEnd);
        BinaryPrimitives.WriteUInt16BigEndian(at[16..], 1);
        session.TryWriteBytes(at[18..], bigEndian: true, out _);
        BinaryPrimitives.WriteUInt64BigEndian(at[34..], position);
        BinaryPrimitives.WriteInt64BigEndian(at[42..], start);
        BinaryPrimitives.WriteInt64BigEndian(at[50..], end);
        using var journal = DiskSpool.Open(Path.Combine(directory.Combine("state"), "sessions"));
        journal.Append(record);
    }

    private static async Task<NativeConnection> OpenSessionAsync(SocketEndpoint endpoint, Guid session)
    {
        var connection = await SocketDaemonClient.ConnectNativeAsync(endpoint, Wait.Timeout, CancellationToken.None);
        var frame = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WriteSession(frame, 0, session);
        Assert.Equal(NativeFrameType.Ok, (await connection.RequestAsync(0, frame.WrittenMemory, CancellationToken.None).WaitAsync(Wait.Timeout)).Type);
        return connection;
    }

    private static async Task<NativeReply> SendAsync(NativeConnection connection, ulong sequence, params string[] messages)
    {
        var frame = new ArrayBufferWriter<byte>();
        var batch = NativeFrameWriter.BeginOriginBatch(frame, sequence);
        foreach (var message in messages)
        {
            var entry = new ArrayBufferWriter<byte>();
            NativeFrameWriter.WriteOriginEntry(entry, null, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(message)));
            batch.AddEntry(entry.WrittenSpan.ToArray());
        }

        batch.Complete();
        return await connection.RequestAsync(sequence, frame.WrittenMemory, CancellationToken.None).WaitAsync(Wait.Timeout);
    }
}
