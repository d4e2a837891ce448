using System.Security.Cryptography.X509Certificates;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>How a <c>Forward</c> step talks TLS to its <c>tls://</c> upstreams: the client library's TLS settings, from files.</summary>
/// <param name="CaFile">A PEM file of the certificate authorities the upstream's certificate must chain to; <see langword="null"/> for the system's roots.</param>
/// <param name="CertificateFile">A PEM file of the client certificate (and its key, unless <paramref name="KeyFile"/>) shown to upstreams that ask for one.</param>
/// <param name="KeyFile">A PEM file of the client certificate's private key, when it is not in <paramref name="CertificateFile"/>.</param>
/// <param name="ServerName">The name the upstream's certificate must carry; <see langword="null"/> for the upstream's host.</param>
public sealed record ForwardTlsOptions(string? CaFile, string? CertificateFile, string? KeyFile, string? ServerName)
{
    /// <summary>Loads the client certificate, if there is one.</summary>
    public X509Certificate2? LoadClientCertificate() =>
        CertificateFile is null ? null : X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);

    /// <summary>
    /// Checks a step's TLS client files (<c>TlsCaFile</c>, <c>TlsCertificateFile</c>, <c>TlsKeyFile</c>) as start-up
    /// will use them: the CA file exists, a key has its certificate, the certificate (with its key) loads.
    /// </summary>
    internal static void Validate(PipelineStepValidation validation, string? caFile, string? certificateFile, string? keyFile)
    {
        if (caFile is not null && !File.Exists(caFile))
        {
            validation.Fail("TlsCaFile", $"{caFile} does not exist");
        }

        if (keyFile is not null && certificateFile is null)
        {
            validation.Fail("TlsKeyFile", "a key needs its TlsCertificateFile");
        }
        else if (certificateFile is not null)
        {
            try
            {
                using var certificate = new ForwardTlsOptions(null, certificateFile, keyFile, null).LoadClientCertificate();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                validation.Fail("TlsCertificateFile", File.Exists(certificateFile) ? ex.Message : $"{certificateFile} does not exist");
            }
        }
    }
}
