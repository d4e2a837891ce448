using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SocketDaemon.Client.Internal;
namespace SocketDaemon.Transport;

/// <summary>
/// TLS for one TCP listener: the server certificate, loaded once at bind, and the check of client certificates
/// against <c>ClientCa</c> (or the system's roots).
/// </summary>
internal sealed class TlsServer
{
    private readonly SslServerAuthenticationOptions _options;
    private readonly TlsClientCertificateMode _mode;
    private readonly X509Certificate2Collection? _clientCa;

    public TlsServer(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _mode = options.ClientCertificate;
        _clientCa = options.ClientCa is { Length: > 0 } ca ? LoadCertificates(ca) : null;
        var certificate = LoadCertificate(options);
        _options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null),
            ClientCertificateRequired = _mode != TlsClientCertificateMode.None,
            EnabledSslProtocols = SslProtocols.None, // the system's choice: TLS 1.2 and 1.3 today
            RemoteCertificateValidationCallback = _mode == TlsClientCertificateMode.None ? null : ValidateClient,
        };
    }

    /// <summary>Runs the handshake over <paramref name="transport"/>.</summary>
    /// <exception cref="AuthenticationException">The handshake failed (no or an untrusted client certificate, not TLS).</exception>
    public async Task<SslStream> AuthenticateAsync(Stream transport, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(transport, leaveInnerStreamOpen: true);
        try
        {
            await ssl.AuthenticateAsServerAsync(_options, cancellationToken);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    /// <summary>The server certificate of <paramref name="options"/>, with its private key.</summary>
    /// <exception cref="InvalidOperationException">The certificate cannot be found or read; the message says why.</exception>
    public static X509Certificate2 LoadCertificate(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        X509Certificate2 certificate;
        if (!string.IsNullOrEmpty(options.Certificate))
        {
            var path = options.Certificate;
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{path} does not exist");
            }

            try
            {
                certificate = IsPem(path)
                    ? string.IsNullOrEmpty(options.Password)
                        ? X509Certificate2.CreateFromPemFile(path, options.Key)
                        : X509Certificate2.CreateFromEncryptedPemFile(path, options.Password, options.Key)
                    : X509CertificateLoader.LoadPkcs12FromFile(path, options.Password);
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException or ArgumentException)
            {
                throw new InvalidOperationException($"cannot read {path}{(options.Key is null ? string.Empty : $" with key {options.Key}")}: {ex.Message}", ex);
            }
        }
        else
        {
            var (location, name) = ParseStore(options.Store);
            using var store = new X509Store(name, location);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, options.Thumbprint!, validOnly: false);
            certificate = found.Count > 0 ? found[0] : throw new InvalidOperationException($"no certificate with thumbprint {options.Thumbprint} in {location}/{name}");
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"the certificate {certificate.Subject} has no private key");
        }

        // A PEM key is ephemeral; Windows' TLS (SChannel) takes only a key it can find again, so round-trip through PKCS#12 there.
        return OperatingSystem.IsWindows()
            ? X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null)
            : certificate;
    }

    /// <summary>Every certificate in the PEM file at <paramref name="path"/>.</summary>
    public static X509Certificate2Collection LoadCertificates(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates.Count > 0 ? certificates : throw new InvalidOperationException($"{path} holds no PEM certificate");
    }

    /// <summary>The store of <c>Tls:Store</c>: <c>CurrentUser/My</c> by default.</summary>
    public static (StoreLocation Location, StoreName Name) ParseStore(string? store)
    {
        var parts = (store ?? "CurrentUser/My").Split('/', 2);
        return parts.Length == 2
            && Enum.TryParse<StoreLocation>(parts[0], ignoreCase: true, out var location)
            && Enum.TryParse<StoreName>(parts[1], ignoreCase: true, out var name)
            ? (location, name)
            : throw new InvalidOperationException($"'{store}' is not a certificate store such as CurrentUser/My or LocalMachine/My");
    }

    // PKCS#12 is DER: it starts with a SEQUENCE tag. PEM is text, possibly with "Bag Attributes" before its blocks.
    private static bool IsPem(string path)
    {
        using var file = File.OpenRead(path);
        return file.ReadByte() != 0x30;
    }

    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return _mode == TlsClientCertificateMode.Optional;
        }

        if (_clientCa is null)
        {
            return errors == SslPolicyErrors.None;
        }

        return CertificateChains.ChainsTo(certificate, chain, _clientCa);
    }
}
