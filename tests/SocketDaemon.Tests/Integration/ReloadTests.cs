using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>SIGHUP, as logrotate's postrotate and systemctl reload send it: reopen the log files, re-read the configuration.</summary>
public class ReloadTests
{
    [Fact]
    public async Task After_the_log_file_is_renamed_sighup_makes_the_daemon_write_a_new_one_and_loses_nothing()
    {
        using var directory = new TempDirectory();
        using var notify = new NotifySocket(directory.Combine("notify"));
        await using var daemon = await DaemonProcess.StartAsync(directory, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Endpoint);
        await client.SendAsync("before the rotation");

        // What logrotate does: rename, then postrotate sends SIGHUP.
        var current = Directory.GetFiles(daemon.Log.Directory, "messages*.log").Single();
        File.Move(current, directory.Combine("logs/rotated.log.1"));
        daemon.Process.Signal(ChildProcess.SIGHUP);
        await Wait.UntilAsync(() => MessageLog.ReadShared(OperationalLog(directory)).Contains("Reloaded", StringComparison.Ordinal), "the reload");
        await client.SendAsync("after the rotation");
        await notify.WaitForAsync("RELOADING=1");
        var reloading = notify.Received.ToList().FindIndex(m => m.Text.StartsWith("RELOADING=1", StringComparison.Ordinal));
        Assert.Contains(notify.Received.Skip(reloading + 1), m => m.Text.StartsWith("READY=1", StringComparison.Ordinal));

        Assert.Equal(["after the rotation"], daemon.Log.Texts());
        Assert.EndsWith("before the rotation\n", MessageLog.ReadShared(directory.Combine("logs/rotated.log.1")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_configuration_is_refused_and_a_good_one_takes_effect_for_the_next_message()
    {
        using var directory = new TempDirectory();
        var config = directory.Combine("socketdaemon.json");
        await File.WriteAllTextAsync(config, """{ "SocketDaemon": { "Limits": { "MaxMessageBytes": 100 } } }""");
        await using var daemon = await DaemonProcess.StartAsync(directory, "--config", config);
        var fifty = new string('x', 50);

        await File.WriteAllTextAsync(config, """{ "SocketDaemon": { "Limits": { "MaxMessageBytes": 0 } } }""");
        daemon.Process.Signal(ChildProcess.SIGHUP);
        await Wait.UntilAsync(() => MessageLog.ReadShared(OperationalLog(directory)).Contains("Reload refused", StringComparison.Ordinal), "the refusal");
        await using (var client = await SocketDaemonClient.ConnectAsync(daemon.Endpoint))
        {
            await client.SendAsync(fifty);
        }

        await File.WriteAllTextAsync(config, """{ "SocketDaemon": { "Limits": { "MaxMessageBytes": 10 }, "Pipeline": [ { "Handler": "Log", "Path": "other.log" } ] } }""");
        daemon.Process.Signal(ChildProcess.SIGHUP);
        await Wait.UntilAsync(() => MessageLog.ReadShared(OperationalLog(directory)).Contains("Reloaded", StringComparison.Ordinal), "the reload");
        await using (var client = await SocketDaemonClient.ConnectAsync(daemon.Endpoint))
        {
            var error = await Assert.ThrowsAsync<SocketDaemonException>(() => client.SendAsync(fifty));
            Assert.Equal(NativeErrorCode.TooLarge, error.Code);
            await client.SendAsync("short");
        }

        Assert.Contains("SocketDaemon:Limits:MaxMessageBytes: 0 is not between 1 and", MessageLog.ReadShared(OperationalLog(directory)), StringComparison.Ordinal);
        Assert.Equal([fifty], daemon.Log.Texts());
        Assert.EndsWith(": short\n", MessageLog.ReadShared(Directory.GetFiles(directory.Combine("logs"), "other*.log").Single()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sighup_reopens_the_log_files_even_when_the_new_configuration_is_refused()
    {
        using var directory = new TempDirectory();
        var config = directory.Combine("socketdaemon.json");
        await File.WriteAllTextAsync(config, """{ "SocketDaemon": { "Limits": { "MaxMessageBytes": 100 } } }""");
        await using var daemon = await DaemonProcess.StartAsync(directory, "--config", config);
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Endpoint);
        await client.SendAsync("before the rotation");

        // logrotate renames and sends SIGHUP whatever the configuration holds: here a JSON syntax error.
        await File.WriteAllTextAsync(config, """{ "SocketDaemon": { "Limits": """);
        var current = Directory.GetFiles(daemon.Log.Directory, "messages*.log").Single();
        File.Move(current, directory.Combine("logs/rotated.log.1"));
        daemon.Process.Signal(ChildProcess.SIGHUP);
        await Wait.UntilAsync(() => MessageLog.ReadShared(OperationalLog(directory)).Contains("Reload refused", StringComparison.Ordinal), "the refusal");
        await client.SendAsync("after the rotation");

        Assert.Equal(["after the rotation"], daemon.Log.Texts());
        Assert.EndsWith("before the rotation\n", MessageLog.ReadShared(directory.Combine("logs/rotated.log.1")), StringComparison.Ordinal);
    }

    private static string OperationalLog(TempDirectory directory) => Directory.GetFiles(directory.Combine("logs"), "socketdaemon*.log").Single();
}
