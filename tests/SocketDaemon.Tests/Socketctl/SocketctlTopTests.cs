using System.Diagnostics;
using SocketDaemon.Cli.Internal;
using SocketDaemon.Client;
using SocketDaemon.Client.Status;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Socketctl;

/// <summary>socketctl top: its frame as a pure function, and one run in a real terminal (tmux).</summary>
public class SocketctlTopTests
{
    private static DaemonStatus Status(double uptime, long unix, long tcp, Dictionary<string, long>? errors = null)
    {
        var status = new DaemonStatus { Version = "1.2.3", ProcessId = 42, UptimeSeconds = uptime };
        status.Listeners.Add(new ListenerStatus { Name = "unix", Endpoint = "unix:/run/s.sock", Messages = unix, OpenConnections = 2, Connections = 5 });
        status.Listeners.Add(new ListenerStatus { Name = "tcp", Endpoint = "tcp://0.0.0.0:7777", Messages = tcp });
        status.Totals = new StatusCounters { Messages = unix + tcp, OpenConnections = 2, Connections = 5, Errors = errors?.Values.Sum() ?? 0, ErrorsByReason = errors ?? [] };
        return status;
    }

    [Fact]
    public void The_frame_shows_each_listener_and_the_total_with_its_rate_and_sparkline()
    {
        var history = new TopHistory();
        history.Add(Status(10, 0, 0));
        history.Add(Status(11, 100, 0));
        history.Add(Status(12, 300, 50));
        var status = Status(12, 300, 50, new Dictionary<string, long> { ["oversize"] = 3 });
        status.Forwards.Add(new ForwardStatus { Spool = "/var/lib/socketdaemon/spool/forward", Upstreams = ["tcp://relay:7777"], UpstreamsConnected = 1, Pending = 12, SpoolBytes = 4096 });

        var lines = TopView.Render(status, history, 120, 40);

        Assert.StartsWith("SocketDaemon 1.2.3  pid 42  up 0h 00m 12s", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^unix\s+200 ▅█\s+2\s+5\s+300\s+0$", lines.Single(l => l.StartsWith("unix", StringComparison.Ordinal)));
        Assert.Matches(@"^tcp\s+50 ▁█\s", lines.Single(l => l.StartsWith("tcp", StringComparison.Ordinal)));
        Assert.Matches(@"^total\s+250 ▄█\s+2\s+5\s+350\s+3$", lines.Single(l => l.StartsWith("total", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Trim().StartsWith("oversize", StringComparison.Ordinal) && l.EndsWith(" 3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("forward", StringComparison.Ordinal) && l.Contains("1/1 connected", StringComparison.Ordinal));
    }

    [Fact]
    public void The_frame_fits_the_terminal()
    {
        var history = new TopHistory();
        for (var second = 0; second < 100; second++)
        {
            history.Add(Status(second, second * 1000L, 0));
        }

        var lines = TopView.Render(Status(100, 100_000, 0, new Dictionary<string, long> { ["a"] = 1, ["b"] = 2, ["c"] = 3 }), history, 50, 6);

        Assert.Equal(6, lines.Count);
        Assert.All(lines, l => Assert.True(l.Length <= 50, l));
        Assert.Equal(TopHistory.Length, history.Rates("unix").Count);
    }

    [Fact]
    public void The_sparkline_scales_to_its_highest_rate()
    {
        Assert.Equal("▁▂▄█", TopView.Sparkline([0, 10, 20, 50], 10));
        Assert.Equal("▁▁▁", TopView.Sparkline([0, 0, 0], 10));
        Assert.Equal("▅█", TopView.Sparkline([0, 5, 10], 2));
    }

    [Fact]
    public async Task Top_runs_in_a_real_terminal_shows_the_listeners_and_quits_with_q_restoring_the_screen()
    {
        using var directory = new TempDirectory();
        await using var daemon = await DaemonProcess.StartAsync(directory);
        var session = "socketctl-top-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        var socketctl = Path.Combine(AppContext.BaseDirectory, "socketctl.dll");
        var exitFile = directory.Combine("exit");
        try
        {
            await TmuxAsync("new-session", "-d", "-s", session, "-x", "120", "-y", "30",
                $"dotnet {socketctl} top -e {daemon.Endpoint}; echo $? > {exitFile}; echo 'after top'; sleep 60");
            await Wait.UntilAsync(() => Capture(session).Contains("LISTENER", StringComparison.Ordinal), "top to draw its frame");
            var frame = Capture(session);
            Assert.Contains("SocketDaemon", frame, StringComparison.Ordinal);
            Assert.Matches(@"(?m)^unix\s", frame);
            Assert.Matches(@"(?m)^total\s", frame);

            await TmuxAsync("send-keys", "-t", session, "q");
            await Wait.UntilAsync(() => File.Exists(exitFile) && Capture(session).Contains("after top", StringComparison.Ordinal), "top to quit");

            // Back on the normal screen: the frame is gone with the alternate screen.
            Assert.Equal("0", (await File.ReadAllTextAsync(exitFile)).Trim());
            Assert.DoesNotContain("LISTENER", Capture(session), StringComparison.Ordinal);
        }
        finally
        {
            await TmuxAsync("kill-session", "-t", session);
        }
    }

    private static string Capture(string session)
    {
        using var process = Process.Start(new ProcessStartInfo("tmux", ["capture-pane", "-p", "-t", session]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return text;
    }

    private static async Task TmuxAsync(params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("tmux", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.WaitForExitAsync();
    }
}
