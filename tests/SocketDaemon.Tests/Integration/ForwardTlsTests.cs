using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// Edge → relay over TLS: a Forward step checks its <c>tls://</c> upstream against its own CA and shows a client
/// certificate to a relay that requires one.
/// </summary>
public sealed class ForwardTlsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task An_edge_forwards_over_TLS_with_a_client_certificate_and_the_relay_logs_each_message_once_with_its_origin()
    {
        await using var relay = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:tls:Endpoint"] = "tcp://127.0.0.1:0",
            ["SocketDaemon:Listeners:tls:Tls:Certificate"] = _certificates.ServerFile,
            ["SocketDaemon:Listeners:tls:Tls:ClientCertificate"] = "required",
            ["SocketDaemon:Listeners:tls:Tls:ClientCa"] = _certificates.CaFile,
            ["SocketDaemon:Pipeline:0:Handler"] = "Log",
            ["SocketDaemon:Pipeline:0:OutputTemplate"] = "{OriginHost} {OriginListener} [{OriginPeer}] via {Listener} <{ClientCertificate}> #{ConnectionId}: {Text:l}{NewLine}",
        });
        var upstream = "tls://" + relay.Listeners["tls"].Endpoint.ToString()["tcp://".Length..];
        await using var edge = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Forward",
            ["SocketDaemon:Pipeline:0:Upstreams:0"] = upstream,
            ["SocketDaemon:Pipeline:0:Acknowledge"] = "downstream",
            ["SocketDaemon:Pipeline:0:TlsCaFile"] = _certificates.CaFile,
            ["SocketDaemon:Pipeline:0:TlsCertificateFile"] = _certificates.ClientFile,
        });
        await using var client = await SocketDaemonClient.ConnectAsync(edge.Unix);

        var messages = Enumerable.Range(0, 500).Select(i => $"over tls {i}").ToList();
        await client.SendManyAsync(messages);

        // Acknowledged downstream: the relay has logged them, once each, under the edge's origin and the edge's certificate.
        Assert.Equal(messages, relay.Log.Texts());
        var line = relay.Log.Lines()[0];
        Assert.StartsWith($"{Environment.MachineName} unix [pid={Environment.ProcessId} ", line, StringComparison.Ordinal);
        Assert.Contains(" via tls <CN=test-client, O=SocketDaemon Tests> #", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Forward_step_naming_a_CA_file_that_does_not_exist_stops_the_start_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Forward",
            ["SocketDaemon:Pipeline:0:Upstreams:0"] = "tls://127.0.0.1:1",
            ["SocketDaemon:Pipeline:0:TlsCaFile"] = "/nonexistent/ca.pem",
        }));

        Assert.Contains("SocketDaemon:Pipeline:0:TlsCaFile: /nonexistent/ca.pem does not exist", error.Failures);
    }
}
