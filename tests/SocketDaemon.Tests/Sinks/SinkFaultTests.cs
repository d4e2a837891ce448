using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Pipeline;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Connections;

namespace SocketDaemon.Tests.Sinks;

/// <summary>
/// A message log that cannot be written (here its directory's name taken by a plain file, which stops root as well
/// as anyone: deterministic where permissions are not) takes nothing it would have to keep in memory: native clients
/// are answered <c>Busy</c>, <c>/healthz</c> turns 503, and once the fault clears everything taken is written in order.
/// </summary>
public class SinkFaultTests
{
    [Fact]
    public async Task While_the_log_cannot_be_written_native_batches_are_answered_Busy_and_taken_after_it_clears()
    {
        await using var daemon = await TestDaemon.StartAsync();
        BlockLogDirectory(daemon);

        // A raw line is read and queued (nothing is acknowledged on raw framings): the writer meets the fault.
        using (var raw = await RawClient.ConnectAsync(daemon.Unix))
        {
            await raw.SendAsync("before the fault clears\n");
        }

        var logs = daemon.Host.Services.GetRequiredService<MessageLogFiles>();
        await Wait.UntilAsync(() => logs.IsUnderPressure, "the writer to meet the fault");
        Assert.Equal(503, HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/healthz")).Status);
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { Framing = MessageFraming.Native });

        var refused = await Assert.ThrowsAsync<SocketDaemonException>(() => client.SendAsync("refused while faulted"));

        Assert.Equal(NativeErrorCode.Busy, refused.Code);
        Assert.Equal(1, daemon.Listeners["unix"].ErrorsByReason.GetValueOrDefault(ErrorReasons.Busy));

        File.Delete(daemon.LogDirectory);
        Assert.Equal(["before the fault clears"], await daemon.Log.WaitForAsync(1));
        await Wait.UntilAsync(() => !logs.IsUnderPressure, "the writer to recover");
        await client.SendAsync("sent again after it cleared");

        Assert.Equal(["before the fault clears", "sent again after it cleared"], await daemon.Log.WaitForAsync(2));
    }

    [Fact]
    public async Task A_log_that_fails_during_a_run_loses_nothing_acknowledged_and_writes_everything_in_order_after_the_fault_clears()
    {
        // The spool lives apart from the log (by default StateDirectory is under the log directory, which fails too).
        using var state = new TempDirectory();
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:StateDirectory"] = state.Path });
        var logs = daemon.Host.Services.GetRequiredService<MessageLogFiles>();
        await using var native = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { Framing = MessageFraming.Native });
        await native.SendAsync("acknowledged before the fault");

        // The fault, mid-run: the log directory goes away, a file takes its name, and the writer opens the log by
        // name again (as after logrotate), which fails until the file is removed.
        var moved = daemon.LogDirectory + ".old";
        Directory.Move(daemon.LogDirectory, moved);
        BlockLogDirectory(daemon);
        logs.Reopen();

        const int Lines = 3000;
        using (var raw = await RawClient.ConnectAsync(daemon.Unix))
        {
            await raw.SendAsync(string.Concat(Enumerable.Range(0, Lines).Select(i => $"raw {i}\n")));
            await Wait.UntilAsync(() => daemon.Listeners["unix"].Messages >= Lines + 1, "every raw line to be read");
        }

        var spool = logs.SpoolDirectoryOf(Path.Combine(daemon.LogDirectory, MessageLogFiles.DefaultPath));
        await Wait.UntilAsync(() => Directory.Exists(spool) && Directory.EnumerateFiles(spool, "*.spool").Any(), "the lines to wait in the spool");
        Assert.Equal(503, HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/healthz")).Status);
        var refused = await Assert.ThrowsAsync<SocketDaemonException>(() => native.SendAsync("refused while faulted"));
        Assert.Equal(NativeErrorCode.Busy, refused.Code);

        File.Delete(daemon.LogDirectory);
        await Wait.UntilAsync(() => !logs.IsUnderPressure, "the writer to recover");
        await native.SendAsync("acknowledged after the fault");

        Assert.Equal(["acknowledged before the fault"], new MessageLog(moved).Texts());
        Assert.Equal(
            Enumerable.Range(0, Lines).Select(i => $"raw {i}").Append("acknowledged after the fault"),
            await daemon.Log.WaitForAsync(Lines + 1));
        Assert.Equal(200, HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/healthz")).Status);
    }

    /// <summary>Replaces the (still unused) log directory with a file: opening the log fails until it is deleted.</summary>
    internal static void BlockLogDirectory(TestDaemon daemon)
    {
        if (Directory.Exists(daemon.LogDirectory))
        {
            Directory.Delete(daemon.LogDirectory, recursive: true);
        }

        File.WriteAllText(daemon.LogDirectory, "not a directory");
    }
}
