using System.Net;
using System.Net.Sockets;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>
/// A real <c>nats-server</c> (Debian's package) with JetStream on, its store in a temp directory, on a free loopback
/// port; restartable on the same port and store, killed at the end.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    private readonly TempDirectory _store = new();
    private ChildProcess? _process;

    private NatsServer(int port) => Port = port;

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public static bool IsInstalled => File.Exists("/usr/sbin/nats-server") || File.Exists("/usr/bin/nats-server");

    public static async Task<NatsServer> StartAsync()
    {
        var server = new NatsServer(FreePort());
        await server.RunAsync();
        return server;
    }

    /// <summary>Stops the server as its service manager would (SIGTERM) and starts it again on the same port and store.</summary>
    public async Task RestartAsync(TimeSpan? down = null)
    {
        await StopAsync();
        await Task.Delay(down ?? TimeSpan.FromSeconds(1));
        await RunAsync();
    }

    /// <summary>Starts the stopped server again, on the same port and store.</summary>
    public Task StartAgainAsync() => RunAsync();

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Signal(ChildProcess.SIGTERM);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _store.Dispose();
    }

    private async Task RunAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        var executable = File.Exists("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server";
        _process = ChildProcess.Start(executable, ["-js", "-sd", _store.Path, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await Wait.UntilAsync(() => _process.StandardError.Contains("Server is ready", StringComparison.Ordinal) || _process.HasExited, "nats-server to be ready");
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"nats-server exited: {_process.StandardError}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
