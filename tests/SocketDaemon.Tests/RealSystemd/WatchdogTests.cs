using System.Globalization;
using System.Net.Sockets;
using System.Text;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.RealSystemd;

/// <summary>
/// The watchdog under a real systemd: a daemon whose log write hangs stops sending <c>WATCHDOG=1</c> and systemd
/// restarts it. The hang is real: the log directory is an ext4 file system on a loop device, frozen with
/// <c>fsfreeze</c>, so the daemon's <c>pwritev</c> blocks in the kernel as it would on a hung NFS server or a
/// stalled disk. (A FIFO cannot stand in: the log is written at offsets, which a pipe refuses.)
/// </summary>
[Collection(RealSystemdTier.Name)]
public sealed class WatchdogTests(InstalledSystemdSandbox sandbox) : IClassFixture<InstalledSystemdSandbox>
{
    [RealSystemdFact(NeedsLoopDevice = true)]
    public async Task A_daemon_whose_log_write_hangs_is_killed_by_the_watchdog_and_restarted()
    {
        using var temp = new TempDirectory();
        var image = temp.Combine("log.img");
        await RunOkAsync("truncate", ["-s", "64M", image]);
        await RunOkAsync("mkfs.ext4", ["-q", "-F", image]);
        var loop = (await RunOkAsync("losetup", ["--find", "--show", image])).Trim();
        try
        {
            // The loop device's node, made in the sandbox's own /dev.
            var numbers = (await RunOkAsync("stat", ["-c", "%t %T", loop])).Trim().Split(' ');
            var major = int.Parse(numbers[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var minor = int.Parse(numbers[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            await sandbox.RunOkAsync($"""
                systemctl stop socketdaemon.service
                mkdir -p /var/log/socketdaemon
                mknod /dev/sdtier-log b {major} {minor}
                mount /dev/sdtier-log /var/log/socketdaemon
                mkdir -p /etc/systemd/system/socketdaemon.service.d
                printf '[Service]\nWatchdogSec=4s\n' > /etc/systemd/system/socketdaemon.service.d/watchdog.conf
                systemctl daemon-reload
                systemctl start socketdaemon.service
                """);
            await SendAsync("before-the-freeze");
            await sandbox.WaitForMessageAsync("before-the-freeze");
            var hung = await MainPidAsync();

            try
            {
                await sandbox.RunOkAsync("fsfreeze --freeze /var/log/socketdaemon");
                await SendAsync("while-frozen");

                await sandbox.UntilAsync(
                    "journalctl -u socketdaemon.service --no-pager -o cat | grep -q 'Watchdog timeout'",
                    "systemd's watchdog timeout for socketdaemon.service",
                    TimeSpan.FromSeconds(60));
            }
            finally
            {
                // A process blocked on a frozen file system cannot die, even of SIGKILL, until it thaws.
                await sandbox.RunAsync("fsfreeze --unfreeze /var/log/socketdaemon");
            }

            await sandbox.UntilAsync($"pid=$(systemctl show -p MainPID --value socketdaemon.service); test \"$pid\" != 0 && test \"$pid\" != {hung} && systemctl is-active --quiet socketdaemon.service", "the restarted daemon");
            await SendAsync("after-the-restart");
            await sandbox.WaitForMessageAsync("after-the-restart");
            var journal = await sandbox.RunOkAsync("journalctl -u socketdaemon.service --no-pager -o cat");
            Assert.Contains("Watchdog timeout", journal, StringComparison.Ordinal);
        }
        finally
        {
            await sandbox.RunAsync("""
                fsfreeze --unfreeze /var/log/socketdaemon || true
                systemctl stop socketdaemon.service
                rm -f /etc/systemd/system/socketdaemon.service.d/watchdog.conf
                systemctl daemon-reload
                umount /var/log/socketdaemon
                """);
            await ChildProcess.RunAsync("losetup", ["-d", loop]);
        }
    }

    private async Task<string> MainPidAsync()
    {
        await sandbox.UntilAsync("systemctl is-active --quiet socketdaemon.service", "socketdaemon.service active");
        return (await sandbox.RunOkAsync("systemctl show -p MainPID --value socketdaemon.service")).Trim();
    }

    private async Task SendAsync(string line)
    {
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(sandbox.HostPath(InstalledSystemdSandbox.Socket)));
        await client.SendAsync(Encoding.ASCII.GetBytes(line + "\n"));
        client.Shutdown(SocketShutdown.Send);
    }

    private static async Task<string> RunOkAsync(string file, string[] arguments)
    {
        var result = await ChildProcess.RunAsync(file, arguments, timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"{file} {string.Join(' ', arguments)}: exit {result.ExitCode}\n{result.StandardOutput}{result.StandardError}");
        return result.StandardOutput;
    }
}
