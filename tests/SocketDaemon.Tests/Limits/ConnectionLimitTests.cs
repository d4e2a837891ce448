using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Connections;

namespace SocketDaemon.Tests.Limits;

/// <summary>
/// Over a connection limit a new connection is closed at once, with a logged and counted reason; the connections
/// already open go on as if nothing happened.
/// </summary>
public class ConnectionLimitTests
{
    [Theory]
    [InlineData("unix")]
    [InlineData("tcp")]
    public async Task A_peer_over_MaxConnectionsPerPeer_is_refused_and_its_open_connections_go_on(string listener)
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:MaxConnectionsPerPeer"] = "2" });
        var endpoint = daemon.Listeners[listener].Endpoint;
        using var first = await OpenAsync(daemon, endpoint, "first");
        using var second = await OpenAsync(daemon, endpoint, "second");

        // Same uid on the Unix socket, same address (another port) on TCP: the same peer.
        await RawClient.AssertRefusedAsync(endpoint);

        await first.SendAsync(RawClient.SeedFrame("first again"));
        await second.SendAsync(RawClient.SeedFrame("second again"));
        await daemon.Log.WaitForTextAsync("first again");
        await daemon.Log.WaitForTextAsync("second again");
        Assert.Equal(1, daemon.Listeners[listener].ErrorsByReason.GetValueOrDefault(ErrorReasons.PeerConnectionLimit));
        await AssertWarnedAsync(daemon, "MaxConnectionsPerPeer is 2");
    }

    [Fact]
    public async Task A_peer_whose_connection_closed_may_connect_again()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:unix:MaxConnectionsPerPeer"] = "1" });
        using (var first = await OpenAsync(daemon, daemon.Unix, "first"))
        {
            first.ShutdownSend();
            Assert.True(await first.WaitForCloseAsync());
        }

        await Wait.UntilAsync(() => daemon.Listeners["unix"].OpenConnections == 0, "the first connection to be closed");
        using var again = await OpenAsync(daemon, daemon.Unix, "again");
        Assert.Equal(0, daemon.Listeners["unix"].Errors);
    }

    [Fact]
    public async Task A_listener_over_its_MaxConnections_refuses_while_another_listener_accepts()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:tcp:MaxConnections"] = "1" });
        using var open = await OpenAsync(daemon, daemon.Tcp, "open");

        await RawClient.AssertRefusedAsync(daemon.Tcp);
        using var other = await OpenAsync(daemon, daemon.Unix, "other listener");

        await open.SendAsync(RawClient.SeedFrame("still open"));
        await daemon.Log.WaitForTextAsync("still open");
        Assert.Equal(1, daemon.Listeners["tcp"].ErrorsByReason.GetValueOrDefault(ErrorReasons.ListenerConnectionLimit));
    }

    [Fact]
    public async Task Over_the_global_MaxConnections_any_listener_refuses()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Limits:MaxConnections"] = "2" });
        using var a = await OpenAsync(daemon, daemon.Unix, "a");
        using var b = await OpenAsync(daemon, daemon.Tcp, "b");

        await RawClient.AssertRefusedAsync(daemon.Unix);

        await a.SendAsync(RawClient.SeedFrame("a again"));
        await b.SendAsync(RawClient.SeedFrame("b again"));
        await daemon.Log.WaitForTextAsync("a again");
        await daemon.Log.WaitForTextAsync("b again");
        Assert.Equal(1, daemon.Listeners["unix"].ErrorsByReason.GetValueOrDefault(ErrorReasons.ConnectionLimit));
    }

    /// <summary>
    /// Asserts that a new connection is closed at once. The daemon resets it: on TCP the reset may come back before
    /// the client's connect has returned, which refuses the connect itself.
    /// </summary>
    // A connection that has a message in the log is one the daemon accepted and counts.
    private static async Task<RawClient> OpenAsync(TestDaemon daemon, SocketEndpoint endpoint, string text)
    {
        var client = await RawClient.ConnectAsync(endpoint);
        await client.SendAsync(RawClient.SeedFrame(text));
        await daemon.Log.WaitForTextAsync(text);
        return client;
    }

    internal static async Task AssertWarnedAsync(TestDaemon daemon, string text)
    {
        string OperationalLog() => string.Concat(Directory.GetFiles(daemon.LogDirectory, "socketdaemon*.log").Select(MessageLog.ReadShared));
        try
        {
            await Wait.UntilAsync(() => OperationalLog().Contains(text, StringComparison.Ordinal), $"'{text}' in the operational log");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} It has:\n{OperationalLog()}", ex);
        }
    }
}
