using System.Globalization;
using System.Net.Sockets;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// Restart without dropping anyone: with systemd's file-descriptor store the daemon's listening socket and its client
/// connections outlive the process, and the next run takes them back. The test plays systemd: it keeps what arrives
/// with <c>FDSTORE=1</c> on its NOTIFY_SOCKET and starts the next run with those descriptors as <c>LISTEN_FDS</c>.
/// </summary>
public class FileDescriptorStoreTests
{
    private const int SIGKILL = 9;

    [Fact]
    public Task Clients_stay_connected_across_a_planned_restart_and_no_acknowledged_message_is_lost() =>
        RestartAsync(ChildProcess.SIGTERM);

    [Fact]
    public Task Clients_stay_connected_across_a_crash_and_no_acknowledged_message_is_lost() =>
        RestartAsync(SIGKILL);

    [Fact]
    public async Task Stored_descriptors_no_listener_takes_are_closed_and_removed_from_the_store()
    {
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));

        // A connection of a listener the configuration no longer has, pending bytes of no connection, a foreign name,
        // and a file stored as a connection of a listener that is there.
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(directory.Combine("pair.sock")));
        listener.Listen();
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(directory.Combine("pair.sock")));
        using (var server = await listener.AcceptAsync())
        {
            notify.Put("socketdaemon.connection.7.lines.gone", DescriptorPassing.Duplicate(server.SafeHandle));
        }

        using (var file = File.OpenHandle(directory.Combine("pending"), FileMode.Create, FileAccess.ReadWrite))
        {
            notify.Put("socketdaemon.pending.99", DescriptorPassing.Duplicate(file));
            notify.Put("socketdaemon.unknown", DescriptorPassing.Duplicate(file));
            notify.Put("socketdaemon.connection.8.lines.unix", DescriptorPassing.Duplicate(file));
        }

        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["FDSTORE"] = "64" };
        var daemon = await ServiceManager.StartDaemonAsync(notify, environment, "--listen", "unix:" + directory.Combine("d.sock"), "--log-dir", directory.Combine("logs"));
        await using var _ = daemon;
        await daemon.WaitForOutputAsync("Application started");

        await Wait.UntilAsync(() => notify.Stored.All(s => s.Name == "socketdaemon.listener.unix"), "the stale descriptors to leave the store");
        Assert.Contains("Closed stored descriptor socketdaemon.connection.7.lines.gone", daemon.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Closed stored descriptor socketdaemon.unknown", daemon.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Closed stored descriptor socketdaemon.connection.8.lines.unix", daemon.StandardOutput, StringComparison.Ordinal);

        // The daemon closed its copy and the store its own: the client of the dropped connection sees the end.
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        Assert.Equal(0, await client.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token));
    }

    [Fact]
    public async Task With_the_store_turned_off_what_it_passed_back_is_taken_and_let_go()
    {
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));
        var socketPath = directory.Combine("d.sock");

        // What an earlier run with the store on left in it: its listening socket and a connection of it.
        using var earlier = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        earlier.Bind(new UnixDomainSocketEndPoint(socketPath));
        earlier.Listen();
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        using (var server = await earlier.AcceptAsync())
        {
            notify.Put("socketdaemon.listener.unix", DescriptorPassing.Duplicate(earlier.SafeHandle));
            notify.Put("socketdaemon.connection.3.seed.unix", DescriptorPassing.Duplicate(server.SafeHandle));
        }

        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["FDSTORE"] = "64" };
        var daemon = await ServiceManager.StartDaemonAsync(notify, environment, "--listen", "unix:" + socketPath, "--log-dir", directory.Combine("logs"), "--SocketDaemon:Systemd:FileDescriptorStore=false");
        await using var _ = daemon;
        await daemon.WaitForOutputAsync("Application started");

        await client.SendAsync(RawClient.SeedFrame("on the connection of the earlier run"));
        using var fresh = await RawClient.ConnectAsync(SocketEndpoint.Parse("unix:" + socketPath));
        await fresh.SendAsync(RawClient.SeedFrame("on a new connection"));
        var log = new MessageLog(directory.Combine("logs"));
        await log.WaitForTextAsync("on the connection of the earlier run");
        await log.WaitForTextAsync("on a new connection");

        // Taken back, then let go of; nothing new stored.
        await Wait.UntilAsync(() => notify.Stored.Count == 0, "the store to be emptied");
        Assert.DoesNotContain(notify.Received, m => m.Text.StartsWith("FDSTORE=1", StringComparison.Ordinal));
    }

    private static async Task RestartAsync(int signal)
    {
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));
        var socketPath = directory.Combine("d.sock");
        // systemd 254 and later set $FDSTORE for a unit with FileDescriptorStoreMax=; the default "auto" goes by it.
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["FDSTORE"] = "64" };
        string[] arguments = ["--listen", "unix:" + socketPath, "--log-dir", directory.Combine("logs")];
        var log = new MessageLog(directory.Combine("logs"));

        var first = ChildProcess.StartDaemon(arguments, environment);
        await using var firstProcess = first;
        await notify.WaitForAsync("READY=1");
        await notify.WaitForStoredAsync(n => n == "socketdaemon.listener.unix", "the listening socket");

        await using var native = await SocketDaemonClient.ConnectAsync("unix:" + socketPath);
        using var raw = await RawClient.ConnectAsync(SocketEndpoint.Parse("unix:" + socketPath));
        var expected = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            await native.SendAsync(Text("native before", i, expected));
            await raw.SendAsync(RawClient.SeedFrame(Text("seed before", i, expected)));
        }

        await log.WaitForAsync(expected.Count);
        await notify.WaitForStoredAsync(n => n.StartsWith("socketdaemon.connection.", StringComparison.Ordinal) && n.EndsWith(".native.unix", StringComparison.Ordinal), "the native connection");
        await notify.WaitForStoredAsync(n => n.StartsWith("socketdaemon.connection.", StringComparison.Ordinal) && n.EndsWith(".seed.unix", StringComparison.Ordinal), "the seed connection");

        // Half a frame the daemon has taken from the kernel (nothing left unread in the socket) when it stops: at a
        // planned stop it goes to the store beside its connection. A crash loses what the process held, and no
        // client was told it had arrived, so the crash test sends its frames whole.
        var split = RawClient.SeedFrame(Text("seed split across the restart", 0, expected));
        var half = split.Length / 2;
        if (signal == ChildProcess.SIGTERM)
        {
            await raw.SendAsync(split[..half]);
            await Wait.UntilAsync(() => DescriptorPassing.Unread(raw.Socket) == 0, "the daemon to read half a frame");
        }

        first.Signal(signal);
        var exitCode = await first.WaitForExitAsync();
        if (signal == ChildProcess.SIGTERM)
        {
            Assert.Equal(0, exitCode);
            Assert.Contains(notify.Stored, s => s.Name.StartsWith("socketdaemon.pending.", StringComparison.Ordinal));
        }

        // No daemon runs now. The socket file is still there, and what clients send waits in the kernel: a new
        // connection in the listening socket's backlog, bytes in the connections' buffers.
        Assert.True(File.Exists(socketPath), "the socket file outlives the daemon");
        using var queued = await RawClient.ConnectAsync(SocketEndpoint.Parse("unix:" + socketPath));
        await queued.SendAsync(RawClient.SeedFrame(Text("seed from a client that connected while no daemon ran", 0, expected)));
        var during = native.SendAsync(Text("native while no daemon ran", 0, expected));
        await raw.SendAsync(signal == ChildProcess.SIGTERM ? split[half..] : split);
        await raw.SendAsync(RawClient.SeedFrame(Text("seed while no daemon ran", 0, expected)));

        var second = await ServiceManager.StartDaemonAsync(notify, environment, arguments);
        await using var secondProcess = second;
        await second.WaitForOutputAsync("Application started");
        await during.WaitAsync(Wait.Timeout);
        for (var i = 1; i <= 3; i++)
        {
            // The same client objects, never reconnected: a lost connection would fail these sends.
            await native.SendAsync(Text("native after", i, expected));
            await raw.SendAsync(RawClient.SeedFrame(Text("seed after", i, expected)));
        }

        var status = await native.GetStatusAsync();
        Assert.Equal(0, status.Listeners.Single().Errors);
        // A last frame on each stream connection: a connection's lines are logged in order, so once every last frame
        // is in the log, so is anything the second run could have logged twice.
        await raw.SendAsync(RawClient.SeedFrame(Text("seed last", 0, expected)));
        await queued.SendAsync(RawClient.SeedFrame(Text("queued seed last", 0, expected)));
        raw.Socket.Shutdown(SocketShutdown.Send);
        queued.Socket.Shutdown(SocketShutdown.Send);
        await log.WaitForAsync(expected.Count);

        // Every message once: nothing lost, nothing logged twice by the two runs.
        Assert.Equal(expected.Order(StringComparer.Ordinal), log.Texts().Order(StringComparer.Ordinal));
        Assert.Contains("took back its listening socket", second.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(second.StandardOutput.Split('\n'), l => l.Contains("[WRN]", StringComparison.Ordinal) || l.Contains("warn:", StringComparison.Ordinal));
    }

    private static string Text(string what, int i, List<string> expected)
    {
        var text = i == 0 ? what : string.Create(CultureInfo.InvariantCulture, $"{what} {i}");
        expected.Add(text);
        return text;
    }
}
