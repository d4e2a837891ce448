using System.Security.Cryptography.X509Certificates;

namespace SocketDaemon.Client.Internal;

/// <summary>Checks a peer's certificate against a private CA, for both ends of <c>tls://</c>.</summary>
internal static class CertificateChains
{
    /// <summary>
    /// Whether <paramref name="certificate"/> chains to one of <paramref name="authorities"/>, trusted alone: a
    /// certificate from any public CA must not pass for one from the operator's own. Revocation is not checked (a
    /// private CA rarely publishes a CRL, and the check would wait on the network).
    /// </summary>
    public static bool ChainsTo(X509Certificate certificate, X509Chain? presented, X509Certificate2Collection authorities)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }
}
