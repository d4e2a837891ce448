using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SocketDaemon.Client;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Connections;
using SocketDaemon.Hosting;

namespace SocketDaemon.Tests.Connections;

/// <summary>
/// A listener without a socket: connections over <see cref="MemoryTransport"/>, run by the real connection code and the
/// real pipeline of a <see cref="TestDaemon"/> (messages land in its real log), on a <see cref="FakeTimeProvider"/> that
/// the test advances instead of waiting.
/// </summary>
internal sealed class MemoryListener : IAsyncDisposable
{
    private readonly ConnectionManager _manager;

    private MemoryListener(TestDaemon daemon, FakeTimeProvider time, string name)
    {
        Daemon = daemon;
        Time = time;
        var services = daemon.Host.Services;
        var options = services.GetRequiredService<IOptions<SocketDaemonOptions>>().Value;
        var listenerOptions = options.Listeners[name];
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("SocketDaemon.Listeners");
        Bound = new BoundListener(name, SocketEndpoint.Parse("unix:/memory/" + name), listenerOptions.Framing);
        Context = new ListenerContext(Bound, listenerOptions, options.Limits, services.GetRequiredService<MessagePipeline>(), services, logger) { ConfigurationName = name };
        _manager = new ConnectionManager(logger, time);
    }

    public TestDaemon Daemon { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>The listener's counters (errors by reason, messages) as /metrics shows them.</summary>
    public BoundListener Bound { get; }

    public ListenerContext Context { get; }

    public ListenerLimits Limits => Context.Limits;

    /// <summary>A daemon whose listener <c>unix</c> has <paramref name="settings"/>, and connections to it in memory.</summary>
    public static async Task<MemoryListener> StartAsync(IDictionary<string, string?>? settings = null, string name = "unix")
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var daemon = await TestDaemon.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(time));
        return new MemoryListener(daemon, time, name);
    }

    /// <summary>Opens a connection that has already sent <paramref name="opening"/>, and starts it.</summary>
    public async Task<(StreamConnection Connection, MemoryTransport Peer)> ConnectAsync(ReadOnlyMemory<byte> opening = default, PeerInfo? peer = null)
    {
        var transport = new MemoryTransport();
        if (!opening.IsEmpty)
        {
            await transport.SendAsync(opening);
        }

        var id = _manager.NextId();
        var who = peer ?? PeerInfo.FromCredentials(Environment.ProcessId, 1000, 1000, "memory");
        var key = PeerConnections.KeyOf(who);
        Context.Peers.TryOpen(key, limit: null, out _);
        var connection = new StreamConnection(transport, Context, id, who, key, _manager);
        _manager.Track(id, connection);
        return (connection, transport);
    }

    /// <summary>Waits for the connection to close, bounded by <see cref="Wait.Timeout"/> of real time.</summary>
    public static Task ClosedAsync(StreamConnection connection) => connection.Closed.WaitAsync(Wait.Timeout);

    /// <summary>Stops as the daemon does: every connection drains its bytes for the quiet period, then closes.</summary>
    public Task DrainAsync() => _manager.DrainAsync(Wait.Timeout);

    public async ValueTask DisposeAsync()
    {
        await _manager.DrainAsync(TimeSpan.FromSeconds(1));
        _manager.Dispose();
        await Daemon.DisposeAsync();
    }
}
