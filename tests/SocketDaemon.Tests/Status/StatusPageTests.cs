using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Status;

/// <summary>GET / for browsers and for curl; methods other than GET and HEAD.</summary>
public class StatusPageTests
{
    [Fact]
    public async Task A_browser_gets_a_self_contained_html_page_and_curl_the_plain_text()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var browser = HttpExchange.Parse(await HttpExchange.ExchangeAsync(daemon.Tcp, "GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html,application/xhtml+xml,*/*;q=0.8\r\n\r\n"));
        var curl = HttpExchange.Parse(await HttpExchange.ExchangeAsync(daemon.Tcp, "GET / HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"));

        Assert.Equal(200, browser.Status);
        Assert.Contains("Content-Type: text/html; charset=utf-8", browser.Headers, StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>", browser.Body, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(src|href)\s*=\s*[""']?(https?:)?//", browser.Body);
        Assert.DoesNotContain("@import", browser.Body, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain", curl.Headers, StringComparison.Ordinal);
        Assert.StartsWith("SocketDaemon ", curl.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Another_method_gets_405_and_the_connection_closes_without_logging_its_head(string method)
    {
        await using var daemon = await TestDaemon.StartAsync();

        // ExchangeAsync reads until the daemon closes: a hang would time out here.
        var reply = HttpExchange.Parse(await HttpExchange.ExchangeAsync(daemon.Tcp, $"{method} /status HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix, SocketDaemon.Client.MessageFraming.Native))
        {
            await client.SendAsync("marker");
        }

        Assert.Equal(405, reply.Status);
        Assert.Equal(["marker"], daemon.Log.Texts());
    }
}
