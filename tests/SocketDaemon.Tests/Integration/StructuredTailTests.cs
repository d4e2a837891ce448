using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Client;
using SocketDaemon.Client.Tail;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Pipeline.Tail;

namespace SocketDaemon.Tests.Integration;

/// <summary><c>socketctl tail --json</c> shows the JSON lines of <c>docs/json-format.md</c>.</summary>
public class StructuredTailTests
{
    [Fact]
    public async Task A_tail_carries_each_message_as_a_json_line_with_its_syslog_fields_and_leaves_the_log_unparsed()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using var follower = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native);
        using var stop = new CancellationTokenSource(Wait.Timeout);
        var seen = new List<TailEvent>();
        var following = Task.Run(async () =>
        {
            await foreach (var message in follower.TailAsync(listener: "tcp", grep: null, stop.Token))
            {
                seen.Add(message);
                return;
            }
        });
        var hub = daemon.Host.Services.GetRequiredService<TailHub>();
        await Wait.UntilAsync(() => hub.HasSubscribers, "the tail subscribed");

        using (var tcp = await RawClient.ConnectAsync(daemon.Tcp))
        {
            await tcp.SendAsync("<36>Dec  3 06:03:08 myapp[9]: tailed\n");
        }

        await following.WaitAsync(Wait.Timeout);
        using var line = JsonDocument.Parse(Assert.Single(seen).Json!);
        var root = line.RootElement;
        Assert.Equal(("auth", "warning", "myapp", "9", "tailed", "tcp"), (root.GetProperty("facility").GetString(), root.GetProperty("severity").GetString(), root.GetProperty("appname").GetString(), root.GetProperty("procid").GetString(), root.GetProperty("message").GetString(), root.GetProperty("listener").GetString()));

        // The pipeline has no Parse step: the tail's reading of the fields does not reach the log.
        Assert.Equal(["<36>Dec  3 06:03:08 myapp[9]: tailed"], await daemon.Log.WaitForAsync(1));
    }
}
