using System.Net.Sockets;
using System.Text;
using SocketDaemon.Client;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>Raw HTTP over a daemon socket: what the test writes is exactly what goes on the wire.</summary>
public static class HttpExchange
{
    /// <summary>Sends <paramref name="request"/> and reads the reply until the daemon closes the connection.</summary>
    public static async Task<string> ExchangeAsync(SocketEndpoint endpoint, string request)
    {
        using var client = await RawClient.ConnectAsync(endpoint);
        await client.SendAsync(request);
        var reply = new MemoryStream();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        int read;
        while ((read = await client.Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            reply.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(reply.ToArray());
    }

    public static Task<string> GetAsync(SocketEndpoint endpoint, string path, string method = "GET") =>
        ExchangeAsync(endpoint, $"{method} {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\n\r\n");

    public static (int Status, string Headers, string Body) Parse(string reply)
    {
        var split = reply.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = reply[..split];
        return (int.Parse(headers.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), headers, reply[(split + 4)..]);
    }
}
