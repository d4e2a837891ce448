using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Connections;
using SocketDaemon.Listeners.Internal;
using SocketDaemon.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SocketDaemon.Tests.Limits;

/// <summary>
/// Thousands of connections, hundreds of them stalled in the middle of a frame, hold nobody up: a good client's
/// message is logged while they are all still open, and <c>FrameTimeout</c> then closes exactly the stalled ones.
/// </summary>
public class SlowlorisTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_thousand_connections_with_500_stalled_mid_frame_hold_up_no_good_client()
    {
        var (total, stalled) = (2000, 500);
        // Each connection is two descriptors here, the client's and the daemon's, in this one process.
        var available = FileDescriptorLimit.Raise((2 * total) + 1000);
        if (available < (2 * total) + 1000)
        {
            var scale = (available - 1000) / (2.0 * total);
            (total, stalled) = ((int)(total * scale), (int)(stalled * scale));
            output.WriteLine($"RLIMIT_NOFILE is {available}: scaled down to {total} connections, {stalled} stalled");
        }

        // FrameTimeout starts long, so that the stalled connections are certainly open when the good client comes.
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:unix:Backlog"] = "4096",
            ["SocketDaemon:Limits:FrameTimeout"] = "00:05:00",
        });
        var listener = daemon.Listeners["unix"];
        var clients = new List<RawClient>(total);
        try
        {
            for (var batch = 0; batch < total; batch += 250)
            {
                clients.AddRange(await Task.WhenAll(Enumerable.Range(batch, Math.Min(250, total - batch)).Select(_ => RawClient.ConnectAsync(daemon.Unix))));
            }

            var busy = clients[stalled..];
            var stuck = clients[..stalled];
            await Task.WhenAll(busy.Select((c, i) => c.SendAsync(RawClient.SeedFrame($"busy {i}"))));
            // A header announcing 100 bytes, and 10 of them: detected as seed, then waiting mid-frame.
            await Task.WhenAll(stuck.Select(c => c.SendAsync([.. RawClient.SeedHeader(101), .. new byte[10]])));
            await daemon.Log.WaitForAsync(busy.Count);
            await Wait.UntilAsync(() => listener.OpenConnections == total, $"{total} open connections");

            await using (var good = await TestDaemon.ConnectAsync(daemon.Unix))
            {
                await good.SendAsync("a good client");
            }

            await daemon.Log.WaitForTextAsync("a good client");
            Assert.All(stuck, c => Assert.False(c.Socket.Poll(0, SelectMode.SelectRead), "a stalled connection was closed before the good client's message was logged"));
            Assert.Equal(0, listener.Errors);

            // A reload to a short FrameTimeout applies to the frames already under way.
            var limits = new LimitsOptions { FrameTimeout = TimeSpan.FromMilliseconds(300) };
            daemon.Host.Services.GetRequiredService<ListenerHostedService>().ApplyLimits(limits);

            var closed = await Task.WhenAll(stuck.Select(c => c.WaitForCloseAsync()));
            Assert.All(closed, Assert.True);
            Assert.Equal(stalled, listener.ErrorsByReason.GetValueOrDefault("timeout"));
            Assert.All(busy, c => Assert.False(c.Socket.Poll(0, SelectMode.SelectRead), "a connection between frames was closed by FrameTimeout"));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
