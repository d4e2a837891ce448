using System.Net;
using System.Net.Sockets;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>
/// A real <c>nats-server</c> (Debian's package) with JetStream on, its store in a temp directory, on a free loopback
/// port; restartable on the same port and store, killed at the end.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    // 10,000 ports from 21,000 on, each test process starting at its own place among them.
    private const int FirstPort = 21000;
    private const int PortCount = 10000;
    private static int _handedOut = Environment.ProcessId * 97 % PortCount;

    private readonly TempDirectory _store = new();
    private ChildProcess? _process;

    private NatsServer(int port) => Port = port;

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public static bool IsInstalled => File.Exists("/usr/sbin/nats-server") || File.Exists("/usr/bin/nats-server");

    public static async Task<NatsServer> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = new NatsServer(FreePort());
            try
            {
                await server.RunAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 5 && server.AddressInUse)
            {
                // Taken between the check and nats-server's bind (another test process): another port.
                await server.DisposeAsync();
            }
        }
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

    private bool AddressInUse => _process?.StandardError.Contains("address already in use", StringComparison.Ordinal) == true;

    /// <summary>
    /// A free port below the kernel's ephemeral range (32768 and up), never the same twice in this process. A port
    /// bound to 0 comes from that range, where listeners bound to 0 and every outgoing connection take theirs too: one
    /// of them could take a server's port while it is down for a restart, or a later test's server get the port of an
    /// earlier one whose daemons, still reconnecting, would then read the later test's stream.
    /// </summary>
    private static int FreePort()
    {
        while (true)
        {
            var port = FirstPort + (Interlocked.Increment(ref _handedOut) % PortCount);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use by something else: the next one.
            }
        }
    }
}
