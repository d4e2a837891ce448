using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// <c>Systemd:ConsumeWhenLogged</c>: with systemd's file-descriptor store, a raw-framing client without
/// acknowledgements loses nothing and gets nothing logged twice when the daemon is killed, because the bytes leave
/// its socket only once their lines are in the log. The test plays systemd as <see cref="FileDescriptorStoreTests"/> does.
/// </summary>
public partial class ConsumeWhenLoggedTests
{
    private const int SIGKILL = 9;
    private const int Kills = 5;
    private const int LinesPerClient = 200_000;
    private const int LinesPerSend = 500;

    [Fact]
    public async Task Lines_sent_flat_out_over_unix_and_tcp_are_logged_exactly_once_across_five_kills()
    {
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));
        var socketPath = directory.Combine("d.sock");
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["FDSTORE"] = "64" };
        string[] arguments = ["--listen", "unix:" + socketPath, "--listen", "tcp://127.0.0.1:0", "--log-dir", directory.Combine("logs"), "--SocketDaemon:Systemd:ConsumeWhenLogged=true"];
        var log = new MessageLog(directory.Combine("logs"));

        var daemon = ChildProcess.StartDaemon(arguments, environment);
        var daemons = new List<ChildProcess> { daemon };
        try
        {
            await notify.WaitForAsync("READY=1");
            await notify.WaitForStoredAsync(n => n == "socketdaemon.listener.tcp", "the TCP listening socket");
            await daemon.WaitForOutputAsync("Application started");
            var port = int.Parse(TcpPort().Match(daemon.StandardOutput).Groups[1].Value, CultureInfo.InvariantCulture);

            using var unix = await RawClient.ConnectAsync(SocketEndpoint.Parse("unix:" + socketPath));
            using var tcp = await RawClient.ConnectAsync(SocketEndpoint.Parse(string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{port}")));
            var senders = Task.WhenAll(SendAsync(unix.Socket, "u"), SendAsync(tcp.Socket, "t"));

            for (var kill = 1; kill <= Kills; kill++)
            {
                // Killed while both clients send, at even steps of the log's growth (a line takes more than 60 bytes).
                var at = kill * 2L * LinesPerClient * 60 / (Kills + 1);
                await Wait.UntilAsync(() => LogBytes(log) >= at, $"lines logged before kill {kill}", TimeSpan.FromSeconds(120));
                Assert.False(senders.IsCompleted, $"the clients still send at kill {kill}");
                daemon.Signal(SIGKILL);
                await daemon.WaitForExitAsync();
                daemon = await ServiceManager.StartDaemonAsync(notify, environment, arguments);
                daemons.Add(daemon);
                await daemon.WaitForOutputAsync("Application started");
            }

            await senders.WaitAsync(TimeSpan.FromSeconds(120));
            unix.Socket.Shutdown(SocketShutdown.Send);
            tcp.Socket.Shutdown(SocketShutdown.Send);
            var texts = await log.WaitForAsync(2 * LinesPerClient, TimeSpan.FromSeconds(120));

            // Every line exactly once: no gap, no duplicate, nothing else.
            foreach (var prefix in new[] { "u", "t" })
            {
                var numbers = texts.Where(t => t.StartsWith(prefix + " ", StringComparison.Ordinal)).Select(t => int.Parse(t.AsSpan(2), CultureInfo.InvariantCulture)).Order().ToList();
                var duplicates = numbers.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
                Assert.True(duplicates.Count == 0, $"{prefix}: logged twice: {string.Join(", ", duplicates)}");
                var missing = Enumerable.Range(1, LinesPerClient).Except(numbers).Take(5).ToList();
                Assert.True(missing.Count == 0, $"{prefix}: never logged: {string.Join(", ", missing)}");
            }

            Assert.Equal(2 * LinesPerClient, texts.Count);
            Assert.Contains(daemons, d => d.StandardOutput.Contains("took back", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var each in daemons)
            {
                await each.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_planned_restart_leaves_half_a_line_in_the_socket_and_stores_no_pending_bytes()
    {
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));
        var socketPath = directory.Combine("d.sock");
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["FDSTORE"] = "64" };
        string[] arguments = ["--listen", "unix:" + socketPath, "--log-dir", directory.Combine("logs"), "--SocketDaemon:Systemd:ConsumeWhenLogged=true"];
        var log = new MessageLog(directory.Combine("logs"));
        var first = ChildProcess.StartDaemon(arguments, environment);
        await using var firstProcess = first;
        await notify.WaitForAsync("READY=1");
        using var raw = await RawClient.ConnectAsync(SocketEndpoint.Parse("unix:" + socketPath));
        await raw.SendAsync("whole\nhal");
        await log.WaitForTextAsync("whole");

        first.Signal(ChildProcess.SIGTERM);
        Assert.Equal(0, await first.WaitForExitAsync());
        Assert.DoesNotContain(notify.Stored, s => s.Name.StartsWith("socketdaemon.pending.", StringComparison.Ordinal));

        var second = await ServiceManager.StartDaemonAsync(notify, environment, arguments);
        await using var secondProcess = second;
        await second.WaitForOutputAsync("Application started");
        await raw.SendAsync("f line\n");
        await log.WaitForTextAsync("half line");
        Assert.Equal(["whole", "half line"], log.Texts());
    }

    private static long LogBytes(MessageLog log) =>
        Directory.Exists(log.Directory) ? Directory.GetFiles(log.Directory, "messages*.log").Sum(f => new FileInfo(f).Length) : 0;

    private static async Task SendAsync(Socket socket, string prefix)
    {
        var text = new StringBuilder();
        for (var first = 1; first <= LinesPerClient; first += LinesPerSend)
        {
            text.Clear();
            for (var i = first; i < first + LinesPerSend && i <= LinesPerClient; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{prefix} {i}\n");
            }

            // Flat out: the next send as soon as the kernel took this one (it waits while no daemon runs).
            await socket.SendAsync(Encoding.ASCII.GetBytes(text.ToString()), SocketFlags.None);
        }
    }

    [GeneratedRegex(@"Listener tcp bound to tcp://127\.0\.0\.1:(\d+)")]
    private static partial Regex TcpPort();
}
