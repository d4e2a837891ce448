using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>The message <c>quit</c> from an allowed peer stops the daemon, as it stops the classic sock-server.c.</summary>
public class QuitTests
{
    [Fact]
    public async Task Quit_from_the_daemons_own_user_stops_it_and_removes_the_socket_file()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var lifetime = daemon.Host.Services.GetRequiredService<IHostApplicationLifetime>();

        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix))
        {
            await client.SendAsync("last words");
            await client.SendAsync("quit");
        }

        await daemon.Host.WaitForShutdownAsync().WaitAsync(Wait.Timeout);
        Assert.True(lifetime.ApplicationStopped.IsCancellationRequested);
        Assert.False(File.Exists(daemon.SocketPath));
        Assert.Equal(["last words"], daemon.Log.Texts());
    }

    [Fact]
    public async Task Quit_over_TCP_is_just_a_message_unless_allowed()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var lifetime = daemon.Host.Services.GetRequiredService<IHostApplicationLifetime>();

        await using (var client = await TestDaemon.ConnectAsync(daemon.Tcp))
        {
            await client.SendAsync("quit");
        }

        await daemon.Log.WaitForTextAsync("quit");
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task Quit_from_a_user_not_allowed_is_just_a_message()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Commands:Quit:AllowedUids:0"] = "4242" });
        var lifetime = daemon.Host.Services.GetRequiredService<IHostApplicationLifetime>();

        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix))
        {
            await client.SendAsync("quit");
        }

        await daemon.Log.WaitForTextAsync("quit");
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task The_quit_message_is_configurable()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Commands:Quit:Message"] = "shutdown now" });

        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Lines))
        {
            await client.SendAsync("quit");
            await client.SendAsync("shutdown now");
        }

        await daemon.Host.WaitForShutdownAsync().WaitAsync(Wait.Timeout);
        Assert.Equal(["quit"], daemon.Log.Texts());
    }

    [Fact]
    public async Task Socketctl_send_quit_stops_the_daemon_process_with_exit_code_zero()
    {
        using var directory = new TempDirectory();
        await using var daemon = await DaemonProcess.StartAsync(directory);

        var send = await ChildProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "socketctl.dll"), "send", "--endpoint", daemon.Endpoint, "goodbye", "quit"]);

        Assert.Equal(0, send.ExitCode);
        Assert.Equal(0, await daemon.Process.WaitForExitAsync());
        Assert.False(File.Exists(daemon.SocketPath));
        Assert.Equal(["goodbye"], daemon.Log.Texts());
    }
}
