using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Listeners;
using SocketDaemon.Pipeline;
using SocketDaemon.Tests.Infrastructure;

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
