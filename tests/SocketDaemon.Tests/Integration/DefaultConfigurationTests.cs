using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>The README's first command: the daemon with no configuration at all, and socketctl finding it unaided.</summary>
public class DefaultConfigurationTests
{
    [Fact]
    public async Task With_no_configuration_the_daemon_listens_on_its_runtime_socket_and_tcp_7777()
    {
        using var directory = new TempDirectory();
        var environment = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = directory.Path };
        await using var daemon = ChildProcess.StartDaemon([], environment, workingDirectory: directory.Path);
        await daemon.WaitForOutputAsync("Application started");

        Assert.True(File.Exists(directory.Combine("socketdaemon/socketdaemon.sock")));
        var send = ChildProcess.StartSocketCtl(["send", "found the default socket"], environment);
        Assert.Equal(0, await send.WaitForExitAsync());
        await send.DisposeAsync();
        await using (var tcp = await SocketDaemonClient.ConnectAsync(SocketDaemonDefaults.TcpEndpoint, new SocketDaemonClientOptions { Framing = MessageFraming.Lines }))
        {
            await tcp.SendAsync("and the default TCP port");
        }

        var log = new MessageLog(directory.Combine("logs"));
        await log.WaitForTextAsync("found the default socket");
        await log.WaitForTextAsync("and the default TCP port");
        daemon.Signal(ChildProcess.SIGTERM);
        Assert.Equal(0, await daemon.WaitForExitAsync());
    }
}
