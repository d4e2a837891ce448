using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SocketDaemon.Client.Status;
using SocketDaemon.Framing;
using SocketDaemon.Status;
using SocketDaemon.Connections;

namespace SocketDaemon.Protocols.Http;

/// <summary>
/// Answers one HTTP request on a stream listener, read-only, then closes: <c>/</c> (a plain-text summary),
/// <c>/status</c> (JSON), <c>/metrics</c> (Prometheus) and <c>/healthz</c>. A versionless <c>GET /</c>
/// (HTTP/0.9, as the classic <c>sock-inet.c</c> sends it) gets the body alone.
/// </summary>
internal sealed class HttpStatusHandler(DaemonStatusProvider status, DaemonHealth health) : IConnectionProtocol
{
    private const string PlainText = "text/plain; charset=utf-8";

    public bool Speaks(FramingKind framing) => framing == FramingKind.Http;

    public async Task<bool> RunAsync(StreamConnection connection, bool resumed)
    {
        // A request is answered and closed: not worth keeping across a restart.
        connection.LeaveStore();
        await ServeAsync(connection);
        return false;
    }

    private async Task ServeAsync(StreamConnection connection)
    {
        var input = connection.Input;
        while (true)
        {
            if (await connection.ReadFrameAsync(midFrame: true) is not { } result)
            {
                return;
            }

            var buffer = result.Buffer;
            HttpRequestHead? head;
            SequencePosition end;
            try
            {
                _ = HttpRequestHead.TryParse(buffer, out head, out end);
            }
            catch (FormatException ex)
            {
                input.AdvanceTo(buffer.End);
                await RespondAsync(connection, new HttpRequestHead("GET", "/", "HTTP/1.1"), 400, PlainText, ex.Message + "\n");
                connection.Listener.Listener.ErrorSeen(ErrorReasons.BadRequest);
                return;
            }

            if (head is not null && buffer.Slice(0, end).Length <= HttpRequestHead.MaxHeadBytes)
            {
                input.AdvanceTo(end);
                await RouteAsync(connection, head);
                return;
            }

            if (buffer.Length > HttpRequestHead.MaxHeadBytes || result.IsCompleted)
            {
                input.AdvanceTo(buffer.End);
                connection.Listener.Listener.ErrorSeen(ErrorReasons.BadRequest);
                if (!result.IsCompleted)
                {
                    await RespondAsync(connection, new HttpRequestHead("GET", "/", "HTTP/1.1"), 431, PlainText, $"the request head is over {HttpRequestHead.MaxHeadBytes} bytes\n");
                }

                return;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private Task RouteAsync(StreamConnection connection, HttpRequestHead head)
    {
        if (head.Method is not ("GET" or "HEAD"))
        {
            return RespondAsync(connection, head, 405, PlainText, "only GET and HEAD are served\n");
        }

        if (!connection.Listener.Listener.AllowStatus && head.Path is "/" or "/status" or "/metrics")
        {
            return RespondAsync(connection, head, 403, PlainText, $"listener {connection.Listener.Name} does not answer status requests; /healthz is here\n");
        }

        switch (head.Path)
        {
            case "/" when StatusPage.IsWanted(head.Accept):
                return RespondAsync(connection, head, 200, StatusPage.ContentType, StatusPage.Html);
            case "/":
                return RespondAsync(connection, head, 200, PlainText, status.GetSummary());
            case "/status":
                return RespondAsync(connection, head, 200, "application/json", JsonSerializer.Serialize(status.GetStatus(), StatusJsonContext.Default.DaemonStatus) + "\n");
            case "/metrics":
                return RespondAsync(connection, head, 200, PrometheusExposition.ContentType, PrometheusExposition.Render(status));
            case "/healthz":
                var healthy = health.IsHealthy(out var problem);
                return RespondAsync(connection, head, healthy ? 200 : 503, PlainText, healthy ? "ok\n" : $"unhealthy: {problem}\n");
            default:
                return RespondAsync(connection, head, 404, PlainText, $"{head.Path} is not here; try /, /status, /metrics or /healthz\n");
        }
    }

    private static async Task RespondAsync(StreamConnection connection, HttpRequestHead head, int code, string contentType, string body)
    {
        var payload = Encoding.UTF8.GetBytes(body);
        var output = connection.Output;
        if (!head.IsHttp09)
        {
            var headers = string.Create(
                CultureInfo.InvariantCulture,
                $"HTTP/1.1 {code} {Reason(code)}\r\nContent-Type: {contentType}\r\nContent-Length: {payload.Length}\r\nCache-Control: no-store\r\nConnection: close\r\nServer: SocketDaemon/{DaemonStatusProvider.Version}\r\n\r\n");
            output.Write(Encoding.ASCII.GetBytes(headers));
        }

        if (head.Method != "HEAD")
        {
            output.Write(payload);
        }

        await output.FlushAsync();
        await output.CompleteAsync();
    }

    private static string Reason(int code) => code switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
