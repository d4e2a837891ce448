using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace SocketDaemon.Client.Internal;

/// <summary>The client side of <c>tls://</c>: checks the daemon's certificate and shows the client's own, if any.</summary>
internal static class TlsClient
{
    /// <summary>Runs the handshake over <paramref name="socket"/>; the stream owns neither the socket nor closes it.</summary>
    /// <exception cref="SocketDaemonConnectException">The handshake failed; the message says why.</exception>
    public static async Task<SslStream> AuthenticateAsync(Socket socket, SocketEndpoint endpoint, SocketDaemonClientOptions options, CancellationToken cancellationToken)
    {
        var authorities = options.TlsCaFile is { } caFile ? LoadAuthorities(caFile) : null;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        string? rejection = null;
        var targetHost = options.TlsServerName ?? endpoint.Host;
        var authentication = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            ClientCertificates = options.TlsClientCertificate is { } certificate ? [certificate] : null,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                var valid = Validate(certificate, chain, errors, authorities);
                rejection = valid ? null : Rejection(errors, targetHost);
                return valid;
            },
        };

        try
        {
            await ssl.AuthenticateAsClientAsync(authentication, cancellationToken);
            return ssl;
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException)
        {
            await ssl.DisposeAsync();
            throw new SocketDaemonConnectException($"TLS with {endpoint} failed: {rejection ?? ex.Message}", ex);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new SocketDaemonConnectException($"cannot read the CA file {path}: {ex.Message}", ex);
        }

        return authorities.Count > 0 ? authorities : throw new SocketDaemonConnectException($"the CA file {path} holds no PEM certificate");
    }

    // Why the daemon's certificate was refused, in the words an operator searches for.
    private static string Rejection(SslPolicyErrors errors, string? targetHost) =>
        (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 ? "the daemon showed no certificate"
        : (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 ? $"name mismatch: the daemon's certificate is not for '{targetHost}' (--tls-server-name names another)"
        : "untrusted issuer: the daemon's certificate does not chain to a trusted CA (--tls-ca names the CA file)";

    private static bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? authorities)
    {
        if (authorities is null || certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return errors == SslPolicyErrors.None;
        }

        // With a CA file, that CA alone is trusted (the daemon's certificate is usually from a private CA); the name still must match.
        return CertificateChains.ChainsTo(certificate, chain, authorities);
    }
}
