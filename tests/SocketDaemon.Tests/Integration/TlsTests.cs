using System.Net.Security;
using System.Net.Sockets;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>TLS on a TCP listener: the daemon's certificate from a file, client certificates none, optional or required.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    private Task<TestDaemon> StartAsync(string clientCertificate = "none", Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:tls:Endpoint"] = "tcp://127.0.0.1:0",
            ["SocketDaemon:Listeners:tls:Tls:Certificate"] = _certificates.ServerFile,
            ["SocketDaemon:Listeners:tls:Tls:ClientCertificate"] = clientCertificate,
            ["SocketDaemon:Listeners:tls:Tls:ClientCa"] = clientCertificate == "none" ? null : _certificates.CaFile,
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return TestDaemon.StartAsync(settings);
    }

    private static SocketEndpoint TlsEndpoint(TestDaemon daemon) =>
        SocketEndpoint.Parse("tls://" + daemon.Listeners["tls"].Endpoint.ToString()["tcp://".Length..]);

    private Task<SocketDaemonClient> ConnectAsync(TestDaemon daemon, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null, string? caFile = null, MessageFraming framing = MessageFraming.Native) =>
        SocketDaemonClient.ConnectAsync(TlsEndpoint(daemon), new SocketDaemonClientOptions
        {
            Framing = framing,
            TlsCaFile = caFile ?? _certificates.CaFile,
            TlsClientCertificate = certificate,
        }).WaitAsync(Wait.Timeout);

    /// <summary>
    /// Connecting (or, in TLS 1.3, where the server checks the client's certificate after the client has finished, the
    /// first exchange) fails; the daemon counts the handshake and logs nothing.
    /// </summary>
    private async Task AssertRefusedAsync(TestDaemon daemon, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await using var client = await ConnectAsync(daemon, certificate);
            await client.SendAsync("must not be logged");
        });

        await Wait.UntilAsync(() => daemon.Listeners["tls"].ErrorsByReason.GetValueOrDefault("tls_handshake") == 1, "the refused handshake counted");
        Assert.Empty(daemon.Log.Lines());
    }

    [Theory]
    [InlineData(MessageFraming.Native)]
    [InlineData(MessageFraming.Lines)]
    public async Task Messages_over_TLS_are_logged(MessageFraming framing)
    {
        await using var daemon = await StartAsync();

        await using (var client = await ConnectAsync(daemon, framing: framing))
        {
            await client.SendManyAsync(["secret one", "secret two"]);
        }

        Assert.Equal(["secret one", "secret two"], await daemon.Log.WaitForAsync(2));
    }

    [Fact]
    public async Task A_required_client_certificate_is_checked_and_its_subject_is_a_message_property_and_in_status()
    {
        await using var daemon = await StartAsync("required", new()
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Log",
            ["SocketDaemon:Pipeline:0:OutputTemplate"] = "{Listener} [{Peer}] <{ClientCertificate}> #{ConnectionId}: {Text:l}{NewLine}",
        });

        await using var client = await ConnectAsync(daemon, _certificates.Client);
        await client.SendAsync("from a known client");
        var status = await client.GetStatusAsync();

        var line = await daemon.Log.WaitForTextAsync("from a known client");
        Assert.Contains("<CN=test-client, O=SocketDaemon Tests>", line, StringComparison.Ordinal);
        Assert.Contains(status.Connections, c => c.Listener == "tls" && c.ClientCertificate == "CN=test-client, O=SocketDaemon Tests");
    }

    [Fact]
    public async Task Without_a_client_certificate_where_one_is_required_the_connection_is_refused_and_counted()
    {
        await using var daemon = await StartAsync("required");

        await AssertRefusedAsync(daemon, certificate: null);
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused()
    {
        await using var daemon = await StartAsync("optional");

        await AssertRefusedAsync(daemon, _certificates.WrongClient);
    }

    [Fact]
    public async Task An_optional_client_certificate_may_be_left_out()
    {
        await using var daemon = await StartAsync("optional");

        await using (var client = await ConnectAsync(daemon))
        {
            await client.SendAsync("anonymous but encrypted");
        }

        await daemon.Log.WaitForTextAsync("anonymous but encrypted");
    }

    [Fact]
    public async Task A_client_refuses_a_daemon_whose_certificate_its_CA_did_not_sign()
    {
        await using var daemon = await StartAsync();

        var error = await Assert.ThrowsAsync<SocketDaemonConnectException>(() => ConnectAsync(daemon, caFile: _certificates.OtherCaFile));

        Assert.StartsWith("TLS with tls://127.0.0.1:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_text_on_a_TLS_listener_is_refused_and_counted()
    {
        await using var daemon = await StartAsync();
        using var raw = await RawClient.ConnectAsync(daemon.Listeners["tls"].Endpoint);

        await raw.SendAsync("not a handshake\n");

        await Wait.UntilAsync(() => daemon.Listeners["tls"].ErrorsByReason.GetValueOrDefault("tls_handshake") == 1, "the failed handshake counted");
        Assert.Empty(daemon.Log.Lines());
    }

    [Fact]
    public async Task Socketctl_sends_over_TLS_with_a_client_certificate()
    {
        await using var daemon = await StartAsync("required");
        var error = new StringWriter();

        var exitCode = await Cli.SocketCtl.CreateRootCommand(new StringReader(string.Empty))
            .Parse(["send", "-e", TlsEndpoint(daemon).ToString(), "--tls-ca", _certificates.CaFile, "--tls-cert", _certificates.ClientFile, "from socketctl over TLS"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Error = error, Output = new StringWriter() })
            .WaitAsync(Wait.Timeout);

        Assert.True(exitCode == 0, error.ToString());
        await daemon.Log.WaitForTextAsync("from socketctl over TLS");
    }

    [Fact]
    public async Task An_HTTP_request_over_TLS_is_answered()
    {
        await using var daemon = await StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync((System.Net.IPEndPoint)daemon.Listeners["tls"].Endpoint.EndPoint).WaitAsync(Wait.Timeout);
        await using var ssl = new SslStream(tcp.GetStream());
        var trust = new System.Security.Cryptography.X509Certificates.X509ChainPolicy { TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust, RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck };
        trust.CustomTrustStore.ImportFromPemFile(_certificates.CaFile);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", CertificateChainPolicy = trust }).WaitAsync(Wait.Timeout);

        await ssl.WriteAsync("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        var response = await new StreamReader(ssl).ReadToEndAsync().WaitAsync(Wait.Timeout);

        Assert.StartsWith("HTTP/1.1 200 OK", response, StringComparison.Ordinal);
    }
}
