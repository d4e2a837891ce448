using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using SocketDaemon.Client;

namespace SocketDaemon.Cli.Commands;

/// <summary>
/// <c>socketctl health</c>: asks the daemon's <c>/healthz</c>. Exit 0 healthy, 1 unhealthy (the reason printed),
/// 3 not running or unreachable.
/// </summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var endpoint = CommonOptions.Endpoint();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing; the exit code says it." };
        var command = new Command("health", "Check the daemon's health (listeners accept, the message log can be written): exit 0 healthy, 1 unhealthy, 3 not running.")
        {
            endpoint, quiet,
        };
        var tls = new TlsCommandOptions();
        tls.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommonOptions.RunAsync(parse, async () =>
        {
            var target = SocketEndpoint.Parse(parse.GetValue(endpoint)!);

            // The native connect first: it names why a daemon cannot be reached, and proves it is one.
            await using (await SocketDaemonClient.ConnectAsync(target, tls.Apply(parse), cancellationToken))
            {
            }

            // Over TLS the native answer is all there is (the HTTP probe below speaks plain text).
            var (healthy, text) = target.UseTls ? (true, "ok") : await GetHealthAsync(target, cancellationToken);
            if (!parse.GetValue(quiet))
            {
                await (healthy ? parse.InvocationConfiguration.Output : parse.InvocationConfiguration.Error).WriteLineAsync(healthy ? "healthy" : $"socketctl: {text}");
            }

            return healthy ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    // GET /healthz on its own connection: every stream listener detects HTTP, and /healthz is answered even where
    // AllowStatus is off.
    private static async Task<(bool Healthy, string Text)> GetHealthAsync(SocketEndpoint target, CancellationToken cancellationToken)
    {
        using var socket = target.Kind == SocketEndpointKind.Unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(target.EndPoint, timeout.Token);
        await socket.SendAsync("GET /healthz HTTP/1.1\r\nHost: socketdaemon\r\nConnection: close\r\n\r\n"u8.ToArray(), timeout.Token);
        var reply = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
        {
            reply.Write(buffer, 0, read);
        }

        var text = Encoding.UTF8.GetString(reply.ToArray());
        var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var at and >= 0 ? text[(at + 4)..].Trim() : text.Trim();
        return (text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal), body.Length > 0 ? body : "no answer to GET /healthz");
    }
}
