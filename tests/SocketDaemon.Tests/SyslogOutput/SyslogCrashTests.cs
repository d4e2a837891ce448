using System.Text.Json;
using SocketDaemon.Client;
using SocketDaemon.Client.Status;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.SyslogOutput;

/// <summary>SocketDaemon killed with <c>kill -9</c> while it holds messages for a collector: nothing acknowledged is lost.</summary>
public class SyslogCrashTests
{
    [CollectorFact("rsyslog")]
    public async Task Killed_with_messages_waiting_for_a_down_collector_it_sends_them_after_restart_and_loses_no_acknowledged_one()
    {
        await using var collector = await SyslogCollector.StartRsyslogAsync("imtcp");
        using var directory = new TempDirectory();
        string[] arguments =
        [
            "--SocketDaemon:Pipeline:0:Handler", "Syslog",
            "--SocketDaemon:Pipeline:0:Upstreams:0", $"tcp://127.0.0.1:{collector.Port}",
            "--SocketDaemon:Pipeline:0:Acknowledge", "downstream",
        ];
        var daemon = await DaemonProcess.StartAsync(directory, arguments);
        try
        {
            // Acknowledged: the collector's connection took them.
            await using (var client = await SocketDaemonClient.ConnectAsync(SocketEndpoint.Parse(daemon.Endpoint), new SocketDaemonClientOptions { BatchMessages = 50 }))
            {
                await client.SendManyAsync(Messages("acknowledged", 300));
            }

            await collector.WaitForAsync(300);
            await collector.StopAsync();

            // The collector is down: these wait in the spool, not acknowledged, when the daemon is killed.
            var client2 = await SocketDaemonClient.ConnectAsync(SocketEndpoint.Parse(daemon.Endpoint), new SocketDaemonClientOptions { BatchMessages = 50 });
            var sending = client2.SendManyAsync(Messages("waiting", 200));
            await Wait.UntilAsync(() => Pending(daemon).Result == 200, "200 messages in the spool");
            Assert.False(sending.IsCompleted);
            daemon.Process.Signal(9);
            await daemon.Process.WaitForExitAsync();
            await daemon.DisposeAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
            await client2.DisposeAsync().AsTask().ContinueWith(static _ => { }, TaskScheduler.Default);

            await collector.StartAsync();
            daemon = await DaemonProcess.StartAsync(directory, arguments);

            // The restarted daemon sends what its spool held; the acknowledged ones arrived once, before the kill.
            var lines = await collector.WaitForAsync(500);
            Assert.Equal([.. Messages("acknowledged", 300), .. Messages("waiting", 200)], lines.Select(l => l.Split('|')[7]));
        }
        finally
        {
            await daemon.DisposeAsync();
        }
    }

    private static async Task<long> Pending(DaemonProcess daemon)
    {
        var body = HttpExchange.Parse(await HttpExchange.GetAsync(SocketEndpoint.Parse(daemon.Endpoint), "/status")).Body;
        var status = JsonSerializer.Deserialize(body, StatusJsonContext.Default.DaemonStatus)!;
        return status.Forwards.Sum(f => f.Pending);
    }

    private static IEnumerable<string> Messages(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix} {i}");
}
