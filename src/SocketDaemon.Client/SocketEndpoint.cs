using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketDaemon.Client;

/// <summary>
/// An endpoint as SocketDaemon writes it in configuration and on the command line:
/// <c>unix:/path</c>, <c>unix:@abstract</c>, <c>tcp://host:port</c> or, for clients, <c>tls://host:port</c> (TCP with TLS).
/// </summary>
public sealed class SocketEndpoint
{
    /// <summary>The longest path a <c>sockaddr_un</c> holds, without its terminating NUL.</summary>
    /// <remarks>See unix(7): <c>sun_path</c> is 108 bytes on Linux.</remarks>
    public const int MaxUnixPathBytes = 107;

    private const string UnixScheme = "unix:";
    private const string UnixDatagramScheme = "unixgram:";
    private const string TcpScheme = "tcp://";
    private const string UdpScheme = "udp://";
    private const string TlsScheme = "tls://";
    private const string NatsScheme = "nats://";

    private SocketEndpoint(SocketEndpointKind kind, EndPoint endPoint, string? path, string text)
    {
        Kind = kind;
        EndPoint = endPoint;
        Path = path;
        _text = text;
    }

    private readonly string _text;

    /// <summary>Which transport this endpoint uses.</summary>
    public SocketEndpointKind Kind { get; }

    /// <summary>
    /// The endpoint to bind or connect: <see cref="UnixDomainSocketEndPoint"/>, <see cref="IPEndPoint"/>,
    /// or <see cref="DnsEndPoint"/> for a TCP host name.
    /// </summary>
    public EndPoint EndPoint { get; }

    /// <summary>The socket file of a Unix endpoint; <see langword="null"/> for abstract names and TCP.</summary>
    public string? Path { get; }

    /// <summary>Whether this is a Unix socket in the abstract namespace (no file on disk).</summary>
    public bool IsAbstract => Kind is SocketEndpointKind.Unix or SocketEndpointKind.UnixDatagram && Path is null;

    /// <summary>Whether a client speaks TLS over this TCP endpoint (<c>tls://host:port</c>).</summary>
    public bool UseTls => _text.StartsWith(TlsScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>The host name a TLS client checks the server's certificate against: the endpoint's host.</summary>
    public string? Host => EndPoint switch
    {
        DnsEndPoint dns => dns.Host,
        IPEndPoint ip => ip.Address.ToString(),
        _ => null,
    };

    /// <summary>Whether this is a NATS server the daemon consumes a JetStream stream from, rather than a socket it binds.</summary>
    public bool IsNats => Kind == SocketEndpointKind.Nats;

    /// <summary>Whether the endpoint carries datagrams (one datagram, one message) rather than a stream.</summary>
    public bool IsDatagram => Kind is SocketEndpointKind.UnixDatagram or SocketEndpointKind.Udp;

    /// <summary>Parses an endpoint string.</summary>
    /// <exception cref="FormatException">The string is not a valid endpoint; the message says why.</exception>
    public static SocketEndpoint Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var endpoint, out var error) ? endpoint : throw new FormatException(error);
    }

    /// <summary>Parses an endpoint string, saying why when it cannot.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? value,
        [NotNullWhen(true)] out SocketEndpoint? endpoint,
        [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "the endpoint is empty; expected unix:/path, unix:@name, tcp://host:port, tls://host:port, unixgram:/path, udp://host:port or nats://host:port";
            return false;
        }

        if (value.StartsWith(UnixScheme, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseUnix(value[UnixScheme.Length..], SocketEndpointKind.Unix, out endpoint, out error);
        }

        if (value.StartsWith(UnixDatagramScheme, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseUnix(value[UnixDatagramScheme.Length..], SocketEndpointKind.UnixDatagram, out endpoint, out error);
        }

        if (value.StartsWith(TcpScheme, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseTcp(value[TcpScheme.Length..], SocketEndpointKind.Tcp, out endpoint, out error);
        }

        if (value.StartsWith(UdpScheme, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseTcp(value[UdpScheme.Length..], SocketEndpointKind.Udp, out endpoint, out error);
        }

        if (value.StartsWith(TlsScheme, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseTcp(value[TlsScheme.Length..], SocketEndpointKind.Tcp, out endpoint, out error, TlsScheme);
        }

        if (value.StartsWith(NatsScheme, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseTcp(value[NatsScheme.Length..], SocketEndpointKind.Nats, out endpoint, out error, NatsScheme);
        }

        error = $"'{value}' is not an endpoint; expected unix:/path, unix:@name, tcp://host:port, tls://host:port, unixgram:/path, udp://host:port or nats://host:port";
        return false;
    }

    /// <summary>Returns the endpoint for a TCP (or, with <paramref name="datagram"/>, UDP) socket bound to <paramref name="endPoint"/>.</summary>
    public static SocketEndpoint FromIPEndPoint(IPEndPoint endPoint, bool datagram = false)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return new SocketEndpoint(datagram ? SocketEndpointKind.Udp : SocketEndpointKind.Tcp, endPoint, path: null, (datagram ? UdpScheme : TcpScheme) + endPoint);
    }

    /// <inheritdoc />
    public override string ToString() => _text;

    private static bool TryParseUnix(string rest, SocketEndpointKind kind, out SocketEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        if (rest.Length == 0 || rest == "@")
        {
            error = "the Unix socket path is empty";
            return false;
        }

        var isAbstract = rest[0] == '@';
        var name = isAbstract ? rest[1..] : rest;
        if (Encoding.UTF8.GetByteCount(name) + (isAbstract ? 1 : 0) > MaxUnixPathBytes)
        {
            error = $"the Unix socket path '{rest}' is longer than {MaxUnixPathBytes} bytes, the limit of sockaddr_un";
            return false;
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            error = "the Unix socket path contains a NUL character";
            return false;
        }

        // Linux marks an abstract name with a leading NUL in sun_path; .NET takes it the same way.
        var endPoint = new UnixDomainSocketEndPoint(isAbstract ? "\0" + name : name);
        endpoint = new SocketEndpoint(kind, endPoint, isAbstract ? null : name, (kind == SocketEndpointKind.Unix ? UnixScheme : UnixDatagramScheme) + rest);
        error = null;
        return true;
    }

    private static bool TryParseTcp(string rest, SocketEndpointKind kind, out SocketEndpoint? endpoint, out string? error, string? scheme = null)
    {
        endpoint = null;
        scheme ??= kind == SocketEndpointKind.Udp ? UdpScheme : TcpScheme;
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1)
        {
            error = $"'{scheme}{rest}' needs a host and a port, as in {scheme}127.0.0.1:7777 or {scheme}[::1]:7777";
            return false;
        }

        var host = rest[..colon];
        if (!int.TryParse(rest.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort)
        {
            error = $"'{rest[(colon + 1)..]}' is not a TCP port (0 to {IPEndPoint.MaxPort})";
            return false;
        }

        EndPoint endPoint;
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{host}' is not an IPv6 address";
                return false;
            }

            endPoint = new IPEndPoint(v6, port);
        }
        else if (host == "*")
        {
            endPoint = new IPEndPoint(IPAddress.IPv6Any, port);
        }
        else if (IPAddress.TryParse(host, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
        {
            endPoint = new IPEndPoint(address, port);
        }
        else if (Uri.CheckHostName(host) == UriHostNameType.Dns)
        {
            endPoint = new DnsEndPoint(host, port);
        }
        else
        {
            error = $"'{host}' is not a host name or address (write IPv6 addresses in brackets: [::1])";
            return false;
        }

        endpoint = new SocketEndpoint(kind, endPoint, path: null, scheme + rest);
        error = null;
        return true;
    }
}
