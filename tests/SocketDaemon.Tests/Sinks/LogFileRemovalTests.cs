using System.Diagnostics;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Sinks;

/// <summary>
/// What a clumsy operator does to the message log of a running daemon, with acknowledged clients sending: nothing
/// acknowledged is lost, the daemon writes where the log is expected, and <c>/healthz</c> says what the writer needs.
/// </summary>
public class LogFileRemovalTests
{
    [Fact]
    public async Task After_rm_rf_of_the_log_directory_every_message_acknowledged_is_in_the_directory_made_again()
    {
        using var state = new TempDirectory();
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:StateDirectory"] = state.Path });
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { Framing = MessageFraming.Native });
        await client.SendAsync("before the removal");

        Directory.Delete(daemon.LogDirectory, recursive: true);
        var sent = Enumerable.Range(0, 50).Select(i => $"acknowledged {i}").ToList();
        foreach (var message in sent)
        {
            await client.SendAsync(message);
        }

        Assert.Equal(sent, daemon.Log.Texts());
        Assert.Equal(200, HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/healthz")).Status);
    }

    [Fact]
    public async Task After_rm_of_the_message_file_every_message_acknowledged_is_in_a_new_one_and_the_reopen_is_counted()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { Framing = MessageFraming.Native });
        await client.SendAsync("before the removal");

        foreach (var file in Directory.GetFiles(daemon.LogDirectory, "messages*.log"))
        {
            File.Delete(file);
        }

        await client.SendAsync("after the removal");
        await client.SendAsync("and one more");

        Assert.Equal(["after the removal", "and one more"], daemon.Log.Texts());
        var metrics = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/metrics")).Body;
        Assert.Contains($"socketdaemon_log_reopened_total{{file=\"{Path.Combine(daemon.LogDirectory, "messages.log")}\",reason=\"deleted\"}} 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_directory_where_no_file_can_be_made_is_healthy_while_its_open_file_takes_writes()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { Framing = MessageFraming.Native });
        await client.SendAsync("before");

        // Immutable: no file can be made in it, even by root, while the open file still takes appends.
        Chattr("+i", daemon.LogDirectory);
        try
        {
            await client.SendAsync("while immutable");

            Assert.Equal(200, HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/healthz")).Status);
            Assert.Equal(["before", "while immutable"], daemon.Log.Texts());
        }
        finally
        {
            Chattr("-i", daemon.LogDirectory);
        }
    }

    private static void Chattr(string change, string path)
    {
        using var chattr = Process.Start(new ProcessStartInfo("chattr", [change, path]) { RedirectStandardError = true })!;
        chattr.WaitForExit();
        Assert.True(chattr.ExitCode == 0, $"chattr {change} {path}: {chattr.StandardError.ReadToEnd()}");
    }
}
