using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>
/// Certificates made in-process for TLS tests, written as PEM files: a CA, a server certificate for 127.0.0.1 and
/// localhost, a client certificate from the same CA, and a "wrong" client certificate from another CA.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    // One validity for all, so an issued certificate never outlives its issuer by the milliseconds between them.
    private static readonly DateTimeOffset NotBefore = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-1);
    private static readonly DateTimeOffset NotAfter = NotBefore.AddDays(30);

    private readonly TempDirectory _directory = new();

    public TestCertificates()
    {
        using var ca = CreateAuthority("CN=SocketDaemon Test CA");
        using var otherCa = CreateAuthority("CN=Someone Else's CA");
        CaFile = WriteCertificate("ca.pem", ca, withKey: false);
        OtherCaFile = WriteCertificate("other-ca.pem", otherCa, withKey: false);
        using var server = Issue(ca, "CN=localhost", server: true);
        ServerFile = WriteCertificate("server.pem", server, withKey: true);
        Client = Issue(ca, "CN=test-client, O=SocketDaemon Tests", server: false);
        ClientFile = WriteCertificate("client.pem", Client, withKey: true);
        WrongClient = Issue(otherCa, "CN=intruder", server: false);
    }

    /// <summary>The CA's certificate (PEM).</summary>
    public string CaFile { get; }

    /// <summary>Another CA's certificate, which did not sign the server's.</summary>
    public string OtherCaFile { get; }

    /// <summary>The server certificate and its key, in one PEM file.</summary>
    public string ServerFile { get; }

    /// <summary>A client certificate from the CA, with its key.</summary>
    public X509Certificate2 Client { get; }

    /// <summary><see cref="Client"/> and its key, in one PEM file.</summary>
    public string ClientFile { get; }

    /// <summary>A client certificate from another CA.</summary>
    public X509Certificate2 WrongClient { get; }

    public void Dispose()
    {
        Client.Dispose();
        WrongClient.Dispose();
        _directory.Dispose();
    }

    private static X509Certificate2 CreateAuthority(string subject)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(NotBefore, NotAfter);
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string subject, bool server)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(authority, NotBefore, NotAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    private string WriteCertificate(string name, X509Certificate2 certificate, bool withKey)
    {
        var path = _directory.Combine(name);
        var pem = certificate.ExportCertificatePem() + "\n";
        if (withKey)
        {
            pem += certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n";
        }

        File.WriteAllText(path, pem);
        return path;
    }
}
