using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Deployment;

/// <summary>
/// The Native AOT daemon install.sh and the .deb ship: published with no warning, it starts under a service manager,
/// logs, reads the <c>Serilog</c> section without reflection, refuses a drop-in sink it cannot load, and stops cleanly.
/// In the publish collection so that it never restores the daemon's project while the win-x64 publish does.
/// </summary>
[Collection(DaemonPublishing.Name)]
public class NativeAotTests(NativeAotDaemon daemon) : IClassFixture<NativeAotDaemon>
{
    [Fact]
    public async Task The_native_daemon_notifies_ready_logs_writes_the_Serilog_sections_file_and_exits_0_on_SIGTERM()
    {
        Assert.True(daemon.Publish.ExitCode == 0, daemon.Publish.Output);
        using var temp = new TempDirectory();
        using var notify = new NotifySocket(temp.Combine("notify"));
        var extra = temp.Combine("extra.log");
        await using var process = ChildProcess.Start(
            daemon.Executable,
            ["--listen", "unix:" + temp.Combine("d.sock"), "--log-dir", temp.Combine("logs")],
            new Dictionary<string, string>
            {
                ["NOTIFY_SOCKET"] = notify.Path,
                ["Serilog__WriteTo__0__Name"] = "File",
                ["Serilog__WriteTo__0__Args__path"] = extra,
            });

        await notify.WaitForAsync("READY=1");
        await using (var client = await SocketDaemonClient.ConnectAsync("unix:" + temp.Combine("d.sock")))
        {
            await client.SendAsync("through the native daemon");
        }

        await new MessageLog(temp.Combine("logs")).WaitForTextAsync("through the native daemon");
        await Wait.UntilAsync(() => File.Exists(extra) && MessageLog.ReadShared(extra).Contains("Listener unix bound to", StringComparison.Ordinal), "the operational log in the Serilog section's File sink");
        process.Signal(ChildProcess.SIGTERM);
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    [Fact]
    public async Task The_native_daemon_refuses_a_drop_in_sink_assembly_with_one_line_and_exit_78()
    {
        Assert.True(daemon.Publish.ExitCode == 0, daemon.Publish.Output);
        using var temp = new TempDirectory();
        await using var process = ChildProcess.Start(
            daemon.Executable,
            ["--listen", "unix:" + temp.Combine("d.sock"), "--log-dir", temp.Combine("logs")],
            new Dictionary<string, string> { ["Serilog__Using__0"] = "Serilog.Sinks.Elasticsearch" });

        Assert.Equal(78, await process.WaitForExitAsync());
        Assert.StartsWith(
            "socketdaemon: invalid configuration: Serilog:Using:0: 'Serilog.Sinks.Elasticsearch': the Native AOT build binds only the sinks compiled into it",
            process.StandardError,
            StringComparison.Ordinal);
    }
}
