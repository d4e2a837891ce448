using Microsoft.Extensions.Hosting;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>Wire compatibility, both ways, with the classic programs of "Advanced Linux Programming".</summary>
public class ClassicProgramTests
{
    [Fact]
    public async Task The_classic_sock_client_is_logged()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var client = await ClassicPrograms.PathOfAsync("sock-client");

        var result = await ChildProcess.RunAsync(client, [daemon.SocketPath, "Hello from C", "a second message on the same connection"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Hello from C", "a second message on the same connection"], await daemon.Log.WaitForAsync(2));
    }

    [Fact]
    public async Task The_classic_sock_client_can_stop_the_daemon_with_quit()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var client = await ClassicPrograms.PathOfAsync("sock-client");

        await ChildProcess.RunAsync(client, [daemon.SocketPath, "quit"]);

        await daemon.Host.WaitForShutdownAsync().WaitAsync(Wait.Timeout);
        Assert.False(File.Exists(daemon.SocketPath));
    }

    [Fact]
    public async Task Socketctl_send_speaks_to_the_classic_sock_server_and_quit_stops_it()
    {
        using var directory = new TempDirectory();
        var socket = directory.Combine("classic.sock");
        await using var server = ChildProcess.Start(await ClassicPrograms.PathOfAsync("sock-server"), [socket]);
        await server.WaitForOutputAsync("listening");

        var send = await ChildProcess.RunAsync(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "socketctl.dll"), "send", "--framing", "seed", "--endpoint", "unix:" + socket, "first", "second message", "quit"]);

        Assert.Equal(0, send.ExitCode);
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Equal(["listening", "first", "second message", "quit"], server.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(socket), "the classic server removes its socket file after quit");
    }
}
