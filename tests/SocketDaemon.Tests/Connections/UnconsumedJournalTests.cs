using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocketDaemon.Connections.Unconsumed;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Transport;
using SocketDaemon.Configuration;

namespace SocketDaemon.Tests.Connections;

/// <summary>
/// The accounting of <c>Systemd:ConsumeWhenLogged</c> over a real socket pair and a real log file: a run peeks bytes,
/// marks the socket, logs their lines with a claim, and is killed before, between or after the write and the consume;
/// the next run's journal must drop exactly the logged bytes still in the socket.
/// </summary>
public class UnconsumedJournalTests
{
    private const long ConnectionId = 7;
    private const int Marker = (1 << 30) + (5 << 24);

    public enum KilledAt
    {
        BeforeTheWrite,
        BetweenTheWriteAndTheConsume,
        AfterTheConsume,
    }

    [Theory]
    [InlineData(KilledAt.BeforeTheWrite, "a\nb\nc\n")]
    [InlineData(KilledAt.BetweenTheWriteAndTheConsume, "c\n")]
    [InlineData(KilledAt.AfterTheConsume, "c\n")]
    public async Task A_resumed_connection_reads_on_after_exactly_the_bytes_whose_lines_are_logged(KilledAt killedAt, string readAgain)
    {
        using var directory = new TempDirectory();
        var options = Options.Create(new SharedSettings { LogDirectory = directory.Combine("logs"), StateDirectory = directory.Combine("state") });
        Directory.CreateDirectory(directory.Combine("logs"));
        var (client, server) = Pair();
        using var clientSocket = client;
        using var serverSocket = server;
        client.Send("a\nb\nc\n"u8);

        // The killed run: peeks all six bytes, cuts two lines ("a\nb\n", four bytes), logs them with a claim.
        var peek = SocketPeek.TryStart(server)!;
        var room = new byte[16];
        Assert.Equal(6, peek.Receive(room, out var error));
        Assert.Equal(SocketError.Success, error);
        peek.Mark(Marker);
        string file;
        using (var journal = new UnconsumedJournal(options, NullLogger<UnconsumedJournal>.Instance))
        using (var writer = new MessageLogWriter(directory.Combine("logs/messages.log"), MessageDurability.Flush, NullLogger.Instance))
        {
            journal.RecoverFiles();
            var lines = Encoding.UTF8.GetBytes("line a\nline b\n");
            var chunk = ArrayPool<byte>.Shared.Rent(lines.Length);
            lines.CopyTo(chunk, 0);
            await writer.EnqueueAsync(chunk, lines.Length, new UnconsumedClaim(journal, ConnectionId, Marker, 4));
            await writer.CommitAsync();
            file = writer.OpenFile!;
        }

        if (killedAt == KilledAt.BeforeTheWrite)
        {
            // The journal has the claim, the file not its lines.
            File.WriteAllBytes(file, []);
        }
        else if (killedAt == KilledAt.AfterTheConsume)
        {
            peek.Consume(4);
        }

        // The next run.
        using (var journal = new UnconsumedJournal(options, NullLogger<UnconsumedJournal>.Instance))
        {
            journal.RecoverFiles();
            Assert.Equal(killedAt == KilledAt.BetweenTheWriteAndTheConsume ? 4 : 0, journal.SettleResumed(ConnectionId, server));
        }

        server.SetRawSocketOption(1, 42, BitConverter.GetBytes(-1));
        server.Blocking = false;
        Assert.Equal(readAgain, Encoding.UTF8.GetString(room, 0, server.Receive(room)));
    }

    [Fact]
    public async Task A_claim_of_another_connection_or_an_earlier_marker_drops_nothing()
    {
        using var directory = new TempDirectory();
        var options = Options.Create(new SharedSettings { LogDirectory = directory.Combine("logs"), StateDirectory = directory.Combine("state") });
        Directory.CreateDirectory(directory.Combine("logs"));
        var (client, server) = Pair();
        using var clientSocket = client;
        using var serverSocket = server;
        client.Send("a\nb\n"u8);
        var peek = SocketPeek.TryStart(server)!;
        Assert.Equal(4, peek.Receive(new byte[16], out _));

        // The socket carries the marker of a read whose claim the kill kept from the journal.
        peek.Mark(Marker + (1 << 24));
        using (var journal = new UnconsumedJournal(options, NullLogger<UnconsumedJournal>.Instance))
        using (var writer = new MessageLogWriter(directory.Combine("logs/messages.log"), MessageDurability.Flush, NullLogger.Instance))
        {
            journal.RecoverFiles();
            var chunk = ArrayPool<byte>.Shared.Rent(8);
            "line a\n"u8.CopyTo(chunk);
            await writer.EnqueueAsync(chunk, 7, new UnconsumedClaim(journal, ConnectionId, Marker, 2));
            await writer.CommitAsync();
        }

        using (var journal = new UnconsumedJournal(options, NullLogger<UnconsumedJournal>.Instance))
        {
            journal.RecoverFiles();
            Assert.Equal(0, journal.SettleResumed(ConnectionId + 1, server));
            Assert.Equal(0, journal.SettleResumed(ConnectionId, server));
        }
    }

    private static (Socket Client, Socket Server) Pair()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        var server = listener.Accept();
        listener.Dispose();
        return (client, server);
    }
}
