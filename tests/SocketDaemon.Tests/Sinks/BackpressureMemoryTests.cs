using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Pipeline;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Sinks;

/// <summary>
/// A sink that takes nothing (its directory's name taken by a file, and the spool, under it by default, failing as
/// well: the worst throttle) holds memory to its bounded queue: raw readers stop reading and native clients are
/// answered <c>Busy</c>, whatever 100 clients sending flat out do.
/// </summary>
public class BackpressureMemoryTests
{
    // The queue (128 chunks of 64 KiB: 8 MiB), one chunk and the pipe buffers per connection (100 x ~256 KiB), the
    // clients' own buffers in this process, what the shared ArrayPool keeps, and GC slack (75 MiB measured): far
    // below the gigabytes 100 senders push in a few seconds into an unbounded queue.
    private const long BoundBytes = 192L << 20;

    [Fact]
    public async Task Memory_stays_under_a_set_bound_while_100_clients_send_flat_out_to_a_stopped_sink_and_every_acknowledged_message_is_logged_after()
    {
        // A Unix listener's backlog is 5 by default (as the classic sock-server.c): 100 clients connect at once.
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:unix:Backlog"] = "128" });
        SinkFaultTests.BlockLogDirectory(daemon);
        var logs = daemon.Host.Services.GetRequiredService<MessageLogFiles>();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        using var sending = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var acknowledged = new ConcurrentBag<string>();
        var line = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('r', 99) + "\n", 640)));
        var raws = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            using var raw = await RawClient.ConnectAsync(daemon.Unix);
            try
            {
                while (true)
                {
                    await raw.Socket.SendAsync(line, SocketFlags.None, sending.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }));
        var natives = Enumerable.Range(0, 50).Select(c => Task.Run(async () =>
        {
            await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { Framing = MessageFraming.Native });
            for (var i = 0; !sending.IsCancellationRequested; i++)
            {
                try
                {
                    // A batch taken just before the queue filled waits for room that a stopped sink never makes: it
                    // is given up when sending ends, unacknowledged, so it need not be in the log.
                    await client.SendAsync($"native {c} {i}", sending.Token);
                    acknowledged.Add($"native {c} {i}");
                }
                catch (SocketDaemonException ex) when (ex.Code == NativeErrorCode.Busy)
                {
                    await Task.Delay(10);
                }
                catch (OperationCanceledException) when (sending.IsCancellationRequested)
                {
                }
            }
        }));
        var clients = Task.WhenAll(raws.Concat(natives));

        var peak = 0L;
        while (!clients.IsCompleted)
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            await Task.Delay(200);
        }

        await clients;
        Assert.True(logs.IsUnderPressure);
        Assert.True(peak < BoundBytes, $"the managed heap grew by {peak >> 20} MiB, over the bound of {BoundBytes >> 20} MiB");

        File.Delete(daemon.LogDirectory);
        await Wait.UntilAsync(() => !logs.IsUnderPressure, "the writer to catch up");
        var logged = daemon.Log.Texts().ToHashSet(StringComparer.Ordinal);
        Assert.All(acknowledged, a => Assert.Contains(a, logged));
    }
}
