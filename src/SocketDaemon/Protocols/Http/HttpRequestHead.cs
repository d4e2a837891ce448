using System.Buffers;
using System.Text;

namespace SocketDaemon.Protocols.Http;

/// <summary>The parts of an HTTP request head the daemon looks at: method, path and version.</summary>
/// <param name="Method">The method, such as <c>GET</c>.</param>
/// <param name="Path">The path, without the query string.</param>
/// <param name="Version">The version, such as <c>HTTP/1.1</c>; <see langword="null"/> for HTTP/0.9 (<c>GET /</c> alone on a line).</param>
public sealed record HttpRequestHead(string Method, string Path, string? Version)
{
    /// <summary>The largest request head the daemon reads.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    /// <summary>The <c>Accept</c> header, if the request had one: a browser asking for HTML gets the status page.</summary>
    public string? Accept { get; init; }

    /// <summary>Whether this is the versionless request of HTTP/0.9, answered with the body alone.</summary>
    public bool IsHttp09 => Version is null;

    /// <summary>
    /// Parses a request head from the start of <paramref name="input"/>: the request line and, for HTTP/1.x, the
    /// header lines up to the blank line, which are skipped. Returns <see langword="false"/> while incomplete.
    /// </summary>
    /// <exception cref="FormatException">The request line is not <c>METHOD PATH [VERSION]</c>.</exception>
    public static bool TryParse(in ReadOnlySequence<byte> input, out HttpRequestHead? head, out SequencePosition end)
    {
        head = null;
        end = input.Start;
        var reader = new SequenceReader<byte>(input);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> requestLine, (byte)'\n'))
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(requestLine).TrimEnd('\r').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 2 or > 3 || !parts[1].StartsWith('/') || (parts.Length == 3 && !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal)))
        {
            throw new FormatException("the request line is not METHOD /path [HTTP/1.x]");
        }

        var path = parts[1].Split('?', 2)[0];
        if (parts.Length == 2)
        {
            // HTTP/0.9, as sock-inet.c sends it: the request line is the whole request.
            head = new HttpRequestHead(parts[0], path, null);
            end = reader.Position;
            return true;
        }

        string? accept = null;
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (line.Length > 7 && Encoding.ASCII.GetString(line.Slice(0, 7)).Equals("accept:", StringComparison.OrdinalIgnoreCase))
            {
                accept = Encoding.ASCII.GetString(line.Slice(7)).Trim();
            }

            if (line.IsEmpty || (line.Length == 1 && line.FirstSpan[0] == (byte)'\r'))
            {
                head = new HttpRequestHead(parts[0], path, parts[2]) { Accept = accept };
                end = reader.Position;
                return true;
            }
        }

        return false;
    }
}
