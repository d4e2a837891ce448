using SocketDaemon.Client;
using SocketDaemon.Internal;
using SocketDaemon.Connections;
using SocketDaemon.Transport;
using SocketDaemon.Systemd;

namespace SocketDaemon.Hosting.Validation;

/// <summary>Checks one <c>SocketDaemon:Listeners:NAME</c> section: endpoint, limits, socket file, access and TLS.</summary>
internal static class ListenerValidation
{
    /// <summary>Adds a line to <paramref name="failures"/> for each problem of <paramref name="o"/>, whose path is <paramref name="key"/>.</summary>
    public static void Validate(List<string> failures, string key, ListenerOptions o)
    {
        if (o.Endpoint?.StartsWith(SocketActivation.EndpointPrefix, StringComparison.Ordinal) == true)
        {
            if (o.Endpoint.Length == SocketActivation.EndpointPrefix.Length)
            {
                failures.Add($"{key}:Endpoint: systemd: needs the FileDescriptorName= of the socket, as in systemd:socketdaemon");
            }
        }
        else if (!SocketEndpoint.TryParse(o.Endpoint, out _, out var error))
        {
            failures.Add($"{key}:Endpoint: {error}");
        }

        if (o.Backlog is < 1)
        {
            failures.Add($"{key}:Backlog: {o.Backlog} is not a positive number");
        }

        LimitsValidation.Validate(failures, key, o.MaxMessageBytes, o.MaxConnections, o.MaxConnectionsPerPeer, o.IdleTimeout, o.FrameTimeout, o.MaxConnectionAge, o.MinDataRate, o.RateLimit);

        if (!IsOctalMode(o.Mode))
        {
            failures.Add($"{key}:Mode: '{o.Mode}' is not an octal file mode such as 0660");
        }

        ValidateAccess(failures, key, o);
    }

    /// <summary>Owner, Group, the allow lists, Tls and ProxyProtocol of one listener.</summary>
    private static void ValidateAccess(List<string> failures, string key, ListenerOptions o)
    {
        var endpoint = SocketEndpoint.TryParse(o.Endpoint, out var parsed, out _) ? parsed : null;
        var tcp = endpoint?.Kind == SocketEndpointKind.Tcp;
        if (endpoint?.UseTls == true)
        {
            failures.Add($"{key}:Endpoint: tls:// is for clients; a listener is tcp:// with Tls:Certificate");
        }

        if (o.Owner is not null && !Libc.TryResolveId(o.Owner, group: false, out _))
        {
            failures.Add($"{key}:Owner: '{o.Owner}' is not a user on this system");
        }

        if (o.Group is not null && !Libc.TryResolveId(o.Group, group: true, out _))
        {
            failures.Add($"{key}:Group: '{o.Group}' is not a group on this system");
        }

        for (var i = 0; i < o.AllowUids?.Count; i++)
        {
            if (!Libc.TryResolveId(o.AllowUids[i], group: false, out _))
            {
                failures.Add($"{key}:AllowUids:{i}: '{o.AllowUids[i]}' is not a user id or a user on this system");
            }
        }

        for (var i = 0; i < o.AllowGids?.Count; i++)
        {
            if (!Libc.TryResolveId(o.AllowGids[i], group: true, out _))
            {
                failures.Add($"{key}:AllowGids:{i}: '{o.AllowGids[i]}' is not a group id or a group on this system");
            }
        }

        for (var i = 0; i < o.AllowAddresses?.Count; i++)
        {
            try
            {
                _ = AccessPolicy.ParseNetwork(o.AllowAddresses[i]);
            }
            catch (FormatException ex)
            {
                failures.Add($"{key}:AllowAddresses:{i}: {ex.Message}");
            }
        }

        // A list for the other kind of peer would let everyone in silently: credentials are never an address.
        var local = endpoint?.Kind is SocketEndpointKind.Unix or SocketEndpointKind.UnixDatagram;
        if (endpoint is not null && !local && (o.AllowUids is { Count: > 0 } || o.AllowGids is { Count: > 0 }))
        {
            failures.Add($"{key}:{(o.AllowUids is { Count: > 0 } ? "AllowUids" : "AllowGids")}: peers of {endpoint} have addresses, not user ids; use AllowAddresses");
        }

        if (endpoint is not null && local && o.AllowAddresses is { Count: > 0 })
        {
            failures.Add($"{key}:AllowAddresses: peers of {endpoint} have user ids, not addresses; use AllowUids or AllowGids");
        }

        if (o.ProxyProtocol && endpoint is not null && !tcp)
        {
            failures.Add($"{key}:ProxyProtocol: the PROXY protocol is for tcp:// listeners, not {endpoint}");
        }

        var tls = o.Tls;
        if (!tls.IsEnabled)
        {
            if (tls.ClientCertificate != TlsClientCertificateMode.None || tls.ClientCa is not null)
            {
                failures.Add($"{key}:Tls:Certificate: client certificates need TLS, and TLS needs the server's Certificate (or Thumbprint)");
            }

            return;
        }

        if (endpoint is not null && !tcp)
        {
            failures.Add($"{key}:Tls: TLS is for tcp:// listeners, not {endpoint}");
            return;
        }

        if (tls.ClientCa is not null)
        {
            try
            {
                _ = TlsServer.LoadCertificates(tls.ClientCa);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
            {
                failures.Add($"{key}:Tls:ClientCa: {(File.Exists(tls.ClientCa) ? ex.Message : $"{tls.ClientCa} does not exist")}");
            }
        }

        try
        {
            using var certificate = TlsServer.LoadCertificate(tls);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            failures.Add($"{key}:Tls:{(string.IsNullOrEmpty(tls.Certificate) ? "Thumbprint" : "Certificate")}: {ex.Message}");
        }
    }

    private static bool IsOctalMode(string? mode) =>
        !string.IsNullOrEmpty(mode) && mode.Length <= 4 && mode.All(c => c is >= '0' and <= '7') && Convert.ToInt32(mode, 8) <= 0x1FF;
}
