using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SocketDaemon.Client;
using SocketDaemon.Pipeline;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>A stop by signal is graceful: every complete frame the daemon received reaches the log.</summary>
public class ShutdownTests
{
    [Fact]
    public async Task A_stop_lets_connections_finish_the_frames_they_are_sending()
    {
        const int Clients = 4;
        const int PerClient = 4000;

        // A handler that holds every message until the stop has begun: the clients' frames then fill the pipes and
        // socket buffers, and the clients are still writing when the daemon is told to stop.
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var daemon = await TestDaemon.StartAsync(
            new Dictionary<string, string?> { ["SocketDaemon:Pipeline:0:Handler"] = "HoldUntilStop", ["SocketDaemon:Pipeline:1:Handler"] = "Log" },
            services: s => s.AddSingleton(new MessageHandlerRegistration("HoldUntilStop", (builder, _) => builder.Use(async (context, next) =>
            {
                holding.TrySetResult();
                await stopping.Task;
                await next(context);
            }))));

        var sending = Enumerable.Range(0, Clients).Select(async c =>
        {
            // Unix sockets: their small kernel buffers (unlike loopback TCP's megabytes) keep the clients writing.
            await using var client = await TestDaemon.ConnectAsync(daemon.Unix);
            await client.SendManyAsync(Enumerable.Range(0, PerClient).Select(i => $"client {c} message {i} {new string('x', 300)}"));
        }).ToList();
        await holding.Task.WaitAsync(Wait.Timeout);

        var stop = daemon.StopAsync();
        await WaitForStoppingAsync(daemon.Host);
        Assert.All(sending, s => Assert.False(s.IsCompleted, "the clients are still sending when the stop begins"));
        stopping.SetResult();
        await stop;

        await Task.WhenAll(sending).WaitAsync(Wait.Timeout);
        Assert.Equal(Clients * PerClient, daemon.Log.Texts().Distinct().Count());
    }

    [Theory]
    [InlineData(ChildProcess.SIGTERM)]
    [InlineData(ChildProcess.SIGINT)]
    public async Task A_signal_with_clients_mid_stream_loses_no_complete_frame(int signal)
    {
        const int Clients = 8;
        const int PerClient = 5000;
        using var directory = new TempDirectory();
        await using var daemon = await DaemonProcess.StartAsync(directory, "--listen", "tcp://127.0.0.1:0");
        var socket = daemon.SocketPath;

        // Each client writes its burst and stays connected: when the signal comes, the daemon is still reading.
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
        {
            var client = await SocketDaemonClient.ConnectAsync("unix:" + socket, new SocketDaemonClientOptions { Framing = c % 2 == 0 ? MessageFraming.Seed : MessageFraming.Lines });
            await client.SendManyAsync(Enumerable.Range(0, PerClient).Select(i => $"client {c} message {i} {new string('x', 40)}"));
            return client;
        }));
        using var partial = await RawClient.ConnectAsync(SocketEndpoint.Parse("unix:" + socket));
        await partial.SendAsync([.. RawClient.SeedFrame("complete before the partial one"), .. RawClient.SeedFrame("never finished")[..8]]);

        daemon.Process.Signal(signal);

        Assert.Equal(0, await daemon.Process.WaitForExitAsync());
        var texts = daemon.Log.Texts();
        Assert.Equal(Clients * PerClient + 1, texts.Count);
        Assert.Equal(texts.Count, texts.Distinct().Count());
        Assert.Contains("complete before the partial one", texts);
        Assert.False(File.Exists(socket));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    // The stop has begun once the host has signalled ApplicationStopping.
    private static Task WaitForStoppingAsync(IHost host)
    {
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var begun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stopping.Register(() => begun.TrySetResult());
        return begun.Task.WaitAsync(Wait.Timeout);
    }
}
