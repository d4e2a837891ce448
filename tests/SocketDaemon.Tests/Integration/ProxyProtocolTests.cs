using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Tests.Proxy;

namespace SocketDaemon.Tests.Integration;

/// <summary>A TCP listener behind a load balancer: the PROXY header's source is the peer, for the log and the allow lists.</summary>
public class ProxyProtocolTests
{
    private static readonly IPEndPoint Destination = IPEndPoint.Parse("198.51.100.1:7777");

    private static Task<TestDaemon> StartAsync(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { ["SocketDaemon:Listeners:tcp:ProxyProtocol"] = "true" };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return TestDaemon.StartAsync(settings);
    }

    [Fact]
    public async Task The_source_of_a_v1_or_v2_header_is_the_peer_in_the_log()
    {
        await using var daemon = await StartAsync();

        using (var v1 = await RawClient.ConnectAsync(daemon.Tcp))
        using (var v2 = await RawClient.ConnectAsync(daemon.Tcp))
        {
            await v1.SendAsync([.. ProxyHeaders.V1(IPEndPoint.Parse("192.0.2.1:56324"), Destination), .. "through v1\n"u8]);
            await v2.SendAsync([.. ProxyHeaders.V2(IPEndPoint.Parse("[2001:db8::7]:40000"), IPEndPoint.Parse("[2001:db8::1]:7777")), .. "through v2\n"u8]);
        }

        Assert.Contains("[192.0.2.1:56324]", await daemon.Log.WaitForTextAsync("through v1"), StringComparison.Ordinal);
        Assert.Contains("[[2001:db8::7]:40000]", await daemon.Log.WaitForTextAsync("through v2"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_allow_list_applies_to_the_source_the_header_names()
    {
        await using var daemon = await StartAsync(new() { ["SocketDaemon:Listeners:tcp:AllowAddresses:0"] = "192.0.2.0/24" });

        using (var outside = await RawClient.ConnectAsync(daemon.Tcp))
        using (var inside = await RawClient.ConnectAsync(daemon.Tcp))
        {
            await outside.SendAsync([.. ProxyHeaders.V2(IPEndPoint.Parse("203.0.113.9:1000"), Destination), .. "from outside\n"u8]);
            await inside.SendAsync([.. ProxyHeaders.V2(IPEndPoint.Parse("192.0.2.5:1000"), Destination), .. "from inside\n"u8]);
        }

        await daemon.Log.WaitForTextAsync("from inside");
        await Wait.UntilAsync(() => daemon.Listeners["tcp"].ErrorsByReason.GetValueOrDefault("access_denied") == 1, "the outside source refused");
        Assert.Equal(["from inside"], daemon.Log.Texts());
    }

    [Fact]
    public async Task MaxConnectionsPerPeer_counts_the_source_the_header_names_not_the_load_balancer()
    {
        await using var daemon = await StartAsync(new() { ["SocketDaemon:Limits:MaxConnectionsPerPeer"] = "1" });

        // Three connections from one load balancer (127.0.0.1), two of them for the same client.
        using var first = await RawClient.ConnectAsync(daemon.Tcp);
        await first.SendAsync([.. ProxyHeaders.V1(IPEndPoint.Parse("192.0.2.1:1000"), Destination), .. "first from a\n"u8]);
        await daemon.Log.WaitForTextAsync("first from a");

        using (var second = await RawClient.ConnectAsync(daemon.Tcp))
        {
            await second.SendAsync([.. ProxyHeaders.V2(IPEndPoint.Parse("192.0.2.1:1001"), Destination), .. "second from a\n"u8]);
            await Wait.UntilAsync(() => daemon.Listeners["tcp"].ErrorsByReason.GetValueOrDefault("peer_connection_limit") == 1, "the second connection of 192.0.2.1 refused");
        }

        using (var other = await RawClient.ConnectAsync(daemon.Tcp))
        {
            await other.SendAsync([.. ProxyHeaders.V1(IPEndPoint.Parse("192.0.2.2:1000"), Destination), .. "from b\n"u8]);
        }

        await daemon.Log.WaitForTextAsync("from b");
        await first.SendAsync("still open for a\n");
        await daemon.Log.WaitForTextAsync("still open for a");
        Assert.DoesNotContain("second from a", daemon.Log.Texts());
    }

    [Fact]
    public async Task A_connection_without_a_header_is_closed_and_counted()
    {
        await using var daemon = await StartAsync();
        using var client = await RawClient.ConnectAsync(daemon.Tcp);

        await client.SendAsync("no header here\n");

        await Wait.UntilAsync(() => daemon.Listeners["tcp"].ErrorsByReason.GetValueOrDefault("proxy_header") == 1, "the missing header counted");
        Assert.Empty(daemon.Log.Lines());
    }

    [Fact]
    public async Task The_header_comes_before_the_TLS_handshake_as_a_TCP_load_balancer_sends_it()
    {
        using var certificates = new TestCertificates();
        await using var daemon = await StartAsync(new() { ["SocketDaemon:Listeners:tcp:Tls:Certificate"] = certificates.ServerFile });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync((IPEndPoint)daemon.Tcp.EndPoint).WaitAsync(Wait.Timeout);
        await tcp.GetStream().WriteAsync(ProxyHeaders.V1(IPEndPoint.Parse("192.0.2.44:5555"), Destination));

        await using (var tls = new SslStream(tcp.GetStream()))
        {
            var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            trust.CustomTrustStore.ImportFromPemFile(certificates.CaFile);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", CertificateChainPolicy = trust }).WaitAsync(Wait.Timeout);
            await tls.WriteAsync("proxied and encrypted\n"u8.ToArray());
            await tls.ShutdownAsync();
        }

        Assert.Contains("[192.0.2.44:5555]", await daemon.Log.WaitForTextAsync("proxied and encrypted"), StringComparison.Ordinal);
    }
}
