using System.Text;

namespace SocketDaemon.Protocols.Http;

/// <summary>
/// The HTML status page a browser gets at <c>GET /</c>: self-contained (inline style and script, nothing fetched
/// from elsewhere), it shows the listeners, connections and outputs and charts messages/s from <c>/status</c>.
/// </summary>
internal static class StatusPage
{
    /// <summary>The page's content type.</summary>
    public const string ContentType = "text/html; charset=utf-8";

    private static readonly Lazy<string> Page = new(Load);

    /// <summary>The page.</summary>
    public static string Html => Page.Value;

    /// <summary>Whether the request's <c>Accept</c> header asks for HTML, as a browser's does (curl and sock-inet send none).</summary>
    public static bool IsWanted(string? accept) => accept is not null && accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);

    private static string Load()
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream("SocketDaemon.Protocols.Http.status.html")
            ?? throw new InvalidOperationException("the status page resource is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
