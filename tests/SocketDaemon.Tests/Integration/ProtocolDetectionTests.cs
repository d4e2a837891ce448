using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>One listener, every client: auto detection picks each connection's protocol from its first bytes.</summary>
public class ProtocolDetectionTests
{
    [Theory]
    [InlineData("unix")]
    [InlineData("tcp")]
    public async Task One_listener_serves_seed_lines_octet_native_and_http_clients(string listener)
    {
        await using var daemon = await TestDaemon.StartAsync();
        var endpoint = daemon.Listeners[listener].Endpoint;

        foreach (var framing in new[] { MessageFraming.Seed, MessageFraming.Lines, MessageFraming.Octet, MessageFraming.Native })
        {
            await using var client = await TestDaemon.ConnectAsync(endpoint, framing);
            await client.SendAsync($"{framing} client on {listener}");
        }

        var curlArguments = listener == "unix"
            ? new[] { "-sS", "--max-time", "10", "--unix-socket", daemon.SocketPath, "http://localhost/status" }
            : ["-sS", "--max-time", "10", $"http://{daemon.Tcp.EndPoint}/status"];
        var curl = await ChildProcess.RunAsync("curl", curlArguments);

        Assert.Equal(0, curl.ExitCode);
        Assert.Contains("\"listeners\"", curl.StandardOutput, StringComparison.Ordinal);
        var texts = await daemon.Log.WaitForAsync(4);
        Assert.Equal(
            new[] { "Lines", "Native", "Octet", "Seed" }.Select(f => $"{f} client on {listener}"),
            texts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_classic_sock_inet_client_gets_the_summary_and_the_connection_closes()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var port = daemon.Tcp.ToString().Split(':')[^1];

        var inet = await ChildProcess.RunAsync(await ClassicPrograms.PathOfAsync("sock-inet"), ["127.0.0.1", port]);

        Assert.Equal(0, inet.ExitCode);
        Assert.StartsWith("SocketDaemon ", inet.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("tcp", inet.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listener_with_a_fixed_framing_does_not_detect()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:tcp:Framing"] = "lines" });
        using var client = await RawClient.ConnectAsync(daemon.Tcp);

        await client.SendAsync("GET / is just a line here\n5 hello is a line too\n");

        Assert.Equal(["GET / is just a line here", "5 hello is a line too"], await daemon.Log.WaitForAsync(2));
    }
}
