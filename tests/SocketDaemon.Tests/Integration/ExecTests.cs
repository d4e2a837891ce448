using System.Diagnostics;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>The Exec handler: a long-lived child on a socketpair, transforming or consuming messages.</summary>
public class ExecTests
{
    private static Dictionary<string, string?> Exec(string mode, string command, params string[] args)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Exec",
            ["SocketDaemon:Pipeline:0:Mode"] = mode,
            ["SocketDaemon:Pipeline:0:Command"] = command,
            ["SocketDaemon:Pipeline:0:Timeout"] = "00:00:02",
            ["SocketDaemon:Pipeline:1:Handler"] = "Log",
        };
        for (var i = 0; i < args.Length; i++)
        {
            settings[$"SocketDaemon:Pipeline:0:Args:{i}"] = args[i];
        }

        return settings;
    }

    [Fact]
    public async Task Transform_replaces_each_message_with_the_childs_reply_line()
    {
        await using var daemon = await TestDaemon.StartAsync(Exec("transform", "sed", "-u", "s/^/X:/"));
        await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);

        await client.SendManyAsync(["one", "two"]);

        Assert.Equal(["X:one", "X:two"], daemon.Log.Texts());
    }

    [Fact]
    public async Task Consume_hands_messages_to_the_child_which_confirms_each_with_OK()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var sink = Path.Combine(daemon.Directory, "consumed.txt");
        await daemon.StopAsync();
        var settings = Exec("consume", "/bin/sh", "-c", $"while read line; do echo \"$line\" >> {sink}; echo OK; done");
        settings["SocketDaemon:Pipeline:0:ConfirmWithOk"] = "true";
        await using var consuming = await TestDaemon.StartAsync(settings);
        await using var client = await TestDaemon.ConnectAsync(consuming.Unix, MessageFraming.Native);

        await client.SendManyAsync(["first", "second"]);

        Assert.Equal(["first", "second"], await File.ReadAllLinesAsync(sink));
        Assert.Empty(consuming.Log.Texts());
    }

    [Fact]
    public async Task A_child_killed_mid_stream_is_restarted_and_no_message_is_lost()
    {
        var marker = "s/^/R" + Guid.NewGuid().ToString("N")[..6] + ":/";
        await using var daemon = await TestDaemon.StartAsync(Exec("transform", "sed", "-u", marker));
        await using var client = await TestDaemon.ConnectAsync(daemon.Tcp, MessageFraming.Native);
        await client.SendAsync("before");

        var pgrep = await ChildProcess.RunAsync("pgrep", ["-f", marker[4..^2]]);
        Assert.NotEmpty(pgrep.StandardOutput.Trim());
        var pids = pgrep.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var pid in pids)
        {
            Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)).Kill();
        }

        // Gone once the daemon has reaped it: it then knows the child died.
        await Wait.UntilAsync(() => pids.All(pid => !Directory.Exists("/proc/" + pid)), "the daemon to reap the killed child");
        await client.SendManyAsync(["after 1", "after 2"]);

        var prefix = marker[4..^1];
        Assert.Equal([$"{prefix}before", $"{prefix}after 1", $"{prefix}after 2"], daemon.Log.Texts());
    }

    [Fact]
    public async Task A_child_that_never_answers_times_out_and_the_message_goes_on_unchanged()
    {
        var settings = Exec("transform", "sleep", "600");
        settings["SocketDaemon:Pipeline:0:Timeout"] = "00:00:00.300";
        await using var daemon = await TestDaemon.StartAsync(settings);
        await using var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);

        await client.SendAsync("unanswered").WaitAsync(Wait.Timeout);

        Assert.Equal(["unanswered"], daemon.Log.Texts());
    }
}
