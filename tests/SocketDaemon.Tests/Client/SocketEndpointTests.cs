using System.Net;
using System.Net.Sockets;
using SocketDaemon.Client;

namespace SocketDaemon.Tests.Client;

public class SocketEndpointTests
{
    [Fact]
    public void A_unix_path_names_its_socket_file()
    {
        var endpoint = SocketEndpoint.Parse("unix:/run/socketdaemon/socketdaemon.sock");

        Assert.Equal(SocketEndpointKind.Unix, endpoint.Kind);
        Assert.Equal("/run/socketdaemon/socketdaemon.sock", endpoint.Path);
        Assert.False(endpoint.IsAbstract);
        Assert.IsType<UnixDomainSocketEndPoint>(endpoint.EndPoint);
    }

    [Fact]
    public void An_at_sign_names_an_abstract_socket_with_no_file()
    {
        var endpoint = SocketEndpoint.Parse("unix:@socketdaemon");

        Assert.True(endpoint.IsAbstract);
        Assert.Null(endpoint.Path);
        Assert.Equal("unix:@socketdaemon", endpoint.ToString());
    }

    [Fact]
    public async Task A_nats_url_names_a_JetStream_server_that_the_client_does_not_connect_to()
    {
        var endpoint = SocketEndpoint.Parse("nats://nats.example.org:4222");

        Assert.True(endpoint.IsNats);
        Assert.False(endpoint.IsDatagram);
        Assert.Equal(new DnsEndPoint("nats.example.org", 4222), endpoint.EndPoint);
        Assert.Equal("nats://nats.example.org:4222", endpoint.ToString());
        await Assert.ThrowsAsync<ArgumentException>(() => SocketDaemonClient.ConnectAsync(endpoint));
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:7777", "127.0.0.1", 7777)]
    [InlineData("tcp://[::1]:0", "::1", 0)]
    [InlineData("tcp://0.0.0.0:514", "0.0.0.0", 514)]
    public void A_tcp_address_is_an_IP_endpoint(string text, string address, int port)
    {
        var endpoint = SocketEndpoint.Parse(text);

        var ip = Assert.IsType<IPEndPoint>(endpoint.EndPoint);
        Assert.Equal(IPAddress.Parse(address), ip.Address);
        Assert.Equal(port, ip.Port);
    }

    [Fact]
    public void A_tcp_host_name_is_resolved_later() =>
        Assert.Equal(new DnsEndPoint("localhost", 7777), SocketEndpoint.Parse("tcp://localhost:7777").EndPoint);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("http://x:1", "not an endpoint")]
    [InlineData("unix:", "empty")]
    [InlineData("tcp://127.0.0.1", "host and a port")]
    [InlineData("tcp://127.0.0.1:70000", "not a TCP port")]
    [InlineData("tcp://::1:7777", "not a host name")]
    [InlineData("tcp://[zz]:7777", "not an IPv6 address")]
    public void A_bad_endpoint_says_why(string text, string reason)
    {
        Assert.False(SocketEndpoint.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_longer_than_sockaddr_un_holds_is_refused()
    {
        Assert.False(SocketEndpoint.TryParse("unix:/" + new string('a', 107), out _, out var error));
        Assert.Contains("107 bytes", error, StringComparison.Ordinal);
    }
}
