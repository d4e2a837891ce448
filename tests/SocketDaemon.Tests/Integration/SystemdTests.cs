using System.Diagnostics;
using System.Globalization;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>The daemon under a service manager: the notify protocol and socket activation, tested without systemd as PID 1.</summary>
public class SystemdTests
{
    [Fact]
    public async Task Notify_socket_gets_ready_after_the_listeners_accept_then_status_watchdog_and_stopping()
    {
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "400000" };
        var process = ChildProcess.StartDaemon(["--listen", "unix:" + directory.Combine("d.sock"), "--log-dir", directory.Combine("logs")], environment);
        await using var _ = process;

        await notify.WaitForAsync("READY=1");
        // READY means accepting: a client connects at once.
        await using (var client = await SocketDaemonClient.ConnectAsync("unix:" + directory.Combine("d.sock")))
        {
            await client.SendAsync("ready means ready");
        }

        // WATCHDOG_USEC is 0.4 s: the daemon pets the watchdog at half that, so three pets come well within the bound.
        var readyAt = DateTime.UtcNow;
        await Wait.UntilAsync(() => notify.Received.Count(m => m.Text.Contains("WATCHDOG=1", StringComparison.Ordinal) && m.At > readyAt) >= 3, "three watchdog pets");
        // ... and not a flood: at most one pet per 0.1 s since READY (a slow machine only lowers the count).
        var watchdogs = notify.Received.Count(m => m.Text.Contains("WATCHDOG=1", StringComparison.Ordinal) && m.At > readyAt);
        Assert.InRange(watchdogs, 3, 2 + (int)((DateTime.UtcNow - readyAt).TotalSeconds / 0.1));
        Assert.Contains(notify.Received, m => m.Text.Contains("STATUS=1 listeners, 0 connections, 1 messages", StringComparison.Ordinal));
        Assert.Contains(notify.Received, m => m.Text.Contains($"MAINPID={process.Id}", StringComparison.Ordinal));

        process.Signal(ChildProcess.SIGTERM);
        await notify.WaitForAsync("STOPPING=1");
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    [Fact]
    public async Task A_daemon_that_cannot_write_its_log_says_so_in_STATUS_and_keeps_petting_the_watchdog()
    {
        // A restart would not empty a full disk, and what was read waits in the spool: the watchdog is for a daemon
        // that hangs, not for one that rides out a fault.
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));
        var logs = directory.Combine("logs");
        var environment = new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = notify.Path,
            ["WATCHDOG_USEC"] = "400000",
            ["SocketDaemon__StateDirectory"] = directory.Combine("state"),
        };
        var process = ChildProcess.StartDaemon(["--listen", "unix:" + directory.Combine("d.sock"), "--log-dir", logs], environment);
        await using var _ = process;
        await notify.WaitForAsync("READY=1");

        // The log directory's name taken by a plain file: the first write fails, for root too.
        Directory.Delete(logs, recursive: true);
        await File.WriteAllTextAsync(logs, "not a directory");
        using (var raw = await RawClient.ConnectAsync(SocketEndpoint.Parse("unix:" + directory.Combine("d.sock"))))
        {
            await raw.SendAsync("waits in the spool\n");
        }

        await Wait.UntilAsync(() => notify.Received.Any(m => m.Text.Contains("STATUS=Unhealthy: ", StringComparison.Ordinal)), "STATUS= to report the fault");
        var faultedAt = DateTime.UtcNow;
        await Wait.UntilAsync(
            () => notify.Received.Any(m => m.At > faultedAt && m.Text.Contains("WATCHDOG=1", StringComparison.Ordinal) && m.Text.Contains("STATUS=Unhealthy: ", StringComparison.Ordinal)),
            "WATCHDOG=1 while the log fails");

        File.Delete(logs);
        await new MessageLog(logs).WaitForTextAsync("waits in the spool");
        process.Signal(ChildProcess.SIGTERM);
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    [Fact]
    public async Task A_daemon_whose_log_write_hangs_stops_petting_the_watchdog()
    {
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));
        var logs = directory.Combine("logs");
        var endpoint = SocketEndpoint.Parse("unix:" + directory.Combine("d.sock"));
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "2000000" };
        var process = ChildProcess.StartDaemon(["--listen", endpoint.ToString(), "--log-dir", logs], environment);
        await using var _ = process;
        await notify.WaitForAsync("READY=1");
        using (var raw = await RawClient.ConnectAsync(endpoint))
        {
            await raw.SendAsync("opens the file\n");
        }

        var log = new MessageLog(logs);
        await log.WaitForTextAsync("opens the file");

        // The file becomes a FIFO nobody reads and the daemon opens it again by name (SIGHUP, as after logrotate): its
        // next write blocks in open(2) for good, as on a hung NFS server. The FIFO takes the file's name in one
        // rename(2): deleted first, the name is free for the writer to make a plain file again should it write (a
        // connection's commit, say) before mkfifo runs.
        var file = Directory.EnumerateFiles(logs, "messages*.log").Single();
        var fifo = directory.Combine("hung.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        File.Move(fifo, file, overwrite: true);

        var signalledAt = Environment.TickCount64;
        process.Signal(ChildProcess.SIGHUP);
        await Wait.UntilAsync(() => notify.Received.Count(m => m.Text.Split('\n').Contains("READY=1")) >= 2, "the reload to finish");

        // RELOADING=1 carries when, on CLOCK_MONOTONIC (as Environment.TickCount64 reads it here), for systemd to match.
        var reloading = notify.Received.Single(m => m.Text.StartsWith("RELOADING=1\n", StringComparison.Ordinal)).Text.Split('\n');
        var monotonicMs = long.Parse(reloading.Single(l => l.StartsWith("MONOTONIC_USEC=", StringComparison.Ordinal))["MONOTONIC_USEC=".Length..], CultureInfo.InvariantCulture) / 1000;
        Assert.InRange(monotonicMs, signalledAt - 100, Environment.TickCount64 + 100);
        using (var raw = await RawClient.ConnectAsync(endpoint))
        {
            await raw.SendAsync("hangs the writer\n");
        }

        try
        {
            await Wait.UntilAsync(() => notify.Received.Any(m => m.Text.Contains("STATUS=Not responding: ", StringComparison.Ordinal)), "STATUS= to report the hung write");
        }
        catch (TimeoutException ex)
        {
            // A failure here has been seen once on a loaded CI machine and never again: say all there is to know.
            var files = string.Join(", ", new DirectoryInfo(logs).EnumerateFileSystemInfos().Select(f => $"{f.Name} ({f.Attributes})"));
            throw new TimeoutException(
                $"{ex.Message}\nnotify: {string.Join(" | ", notify.Received.Select(m => m.Text.ReplaceLineEndings(";")))}\nlogs: {files}\ndaemon: {process.StandardOutput}{process.StandardError}",
                ex);
        }

        var hungAt = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.DoesNotContain(notify.Received, m => m.At > hungAt && m.Text.Contains("WATCHDOG=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_watchdog_there_is_no_watchdog_ping()
    {
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));
        await using var daemon = await DaemonProcess.StartAsync(directory, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });

        await notify.WaitForAsync("READY=1");
        await Task.Delay(300);

        Assert.DoesNotContain(notify.Received, m => m.Text.Contains("WATCHDOG=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Socket_activation_serves_every_passed_socket_and_leaves_systemds_socket_file_alone()
    {
        using var directory = new TempDirectory();
        var socket = directory.Combine("activated.sock");
        var port = FreeTcpPort();
        await using var activator = await SocketActivator.StartAsync(socket, ["-l", socket, "-l", $"127.0.0.1:{port}", "--fdname=local:tcp"], "--log-dir", directory.Combine("logs"));
        await Wait.UntilAsync(() => activator.StandardError.Contains("as 4", StringComparison.Ordinal), "systemd-socket-activate to listen on TCP");

        // The first connection is what makes systemd-socket-activate start the daemon; it waits in the backlog meanwhile.
        await using (var tcp = await SocketDaemonClient.ConnectAsync($"tcp://127.0.0.1:{port}", new SocketDaemonClientOptions { Framing = MessageFraming.Lines }))
        {
            await tcp.SendAsync("over the passed TCP socket");
        }

        await activator.WaitForOutputAsync("Application started");
        await using (var unix = await SocketDaemonClient.ConnectAsync("unix:" + socket))
        {
            await unix.SendAsync("over the passed Unix socket");
            var status = await unix.GetStatusAsync();
            Assert.Equal(["local", "tcp"], status.Listeners.Select(l => l.Name).Order(StringComparer.Ordinal));
            Assert.Equal("unix:" + socket, status.Listeners.Single(l => l.Name == "local").Endpoint);
        }

        var log = new MessageLog(directory.Combine("logs"));
        await log.WaitForTextAsync("over the passed TCP socket");
        activator.Signal(ChildProcess.SIGTERM);
        Assert.Equal(0, await activator.WaitForExitAsync());
        Assert.True(File.Exists(socket), "the socket file belongs to the service manager, which may pass it again");
    }

    [Fact]
    public async Task A_configured_systemd_listener_that_was_not_passed_stops_start_up_naming_it()
    {
        using var directory = new TempDirectory();
        var socket = directory.Combine("activated.sock");
        await using var activator = await SocketActivator.StartAsync(
            socket, ["-l", socket, "--fdname=local"], "--log-dir", directory.Combine("logs"), "--SocketDaemon:Listeners:main:Endpoint=systemd:main");

        using var trigger = await RawClient.ConnectAsync(SocketEndpoint.Parse("unix:" + socket));

        Assert.Equal(1, await activator.WaitForExitAsync());
        Assert.Contains("socketdaemon: cannot start: SocketDaemon:Listeners:main:Endpoint: systemd passed no socket named 'main' (FileDescriptorName=); passed: local", activator.StandardError, StringComparison.Ordinal);
    }

    private static int FreeTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
