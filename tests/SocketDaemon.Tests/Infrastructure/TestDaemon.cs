using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SocketDaemon.Client;
using SocketDaemon.Hosting;
using SocketDaemon.Listeners;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>
/// The real daemon host, in this process: real listeners on a temp Unix socket and on 127.0.0.1 port 0,
/// the real pipeline, and real log files in a temp directory.
/// </summary>
public sealed class TestDaemon : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private bool _stopped;

    private TestDaemon(IHost host, TempDirectory directory)
    {
        Host = host;
        _directory = directory;
        Log = new MessageLog(LogDirectory);
    }

    public IHost Host { get; }

    public string Directory => _directory.Path;

    public string LogDirectory => _directory.Combine("logs");

    public string SocketPath => _directory.Combine("d.sock");

    public MessageLog Log { get; }

    public ListenerRegistry Listeners => Host.Services.GetRequiredService<ListenerRegistry>();

    /// <summary>The bound endpoint of the Unix listener ("unix").</summary>
    public SocketEndpoint Unix => Listeners["unix"].Endpoint;

    /// <summary>The bound endpoint of the TCP listener ("tcp"), with the port the system chose.</summary>
    public SocketEndpoint Tcp => Listeners["tcp"].Endpoint;

    /// <summary>Starts a daemon with a Unix listener "unix" and a TCP listener "tcp", plus <paramref name="settings"/>.</summary>
    public static async Task<TestDaemon> StartAsync(IDictionary<string, string?>? settings = null, bool defaultListeners = true, Action<IServiceCollection>? services = null)
    {
        var directory = new TempDirectory();
        var builder = SocketDaemonHost.CreateBuilder(new DaemonCommandLine(LogDirectory: directory.Combine("logs")));
        var configuration = new Dictionary<string, string?>();
        if (defaultListeners)
        {
            configuration["SocketDaemon:Listeners:unix:Endpoint"] = "unix:" + directory.Combine("d.sock");
            configuration["SocketDaemon:Listeners:tcp:Endpoint"] = "tcp://127.0.0.1:0";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(Wait.Timeout);
        }
        catch
        {
            host.Dispose();
            directory.Dispose();
            throw;
        }

        return new TestDaemon(host, directory);
    }

    public static Task<SocketDaemonClient> ConnectAsync(SocketEndpoint endpoint, MessageFraming framing = MessageFraming.Seed) =>
        SocketDaemonClient.ConnectAsync(endpoint, new SocketDaemonClientOptions { Framing = framing }).WaitAsync(Wait.Timeout);

    /// <summary>Stops the host gracefully, as SIGTERM would, and flushes the logs.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await Host.StopAsync().WaitAsync(Wait.Timeout);
        Host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _directory.Dispose();
        }
    }
}
