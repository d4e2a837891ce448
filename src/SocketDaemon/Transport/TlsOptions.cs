using SocketDaemon.Configuration;
namespace SocketDaemon.Transport;

/// <summary>TLS on a TCP listener: the daemon's certificate and whether clients must show one.</summary>
public sealed class TlsOptions
{
    /// <summary>
    /// The server certificate: a PEM file (with its private key in the same file, or in <see cref="Key"/>) or a PKCS#12
    /// (<c>.pfx</c>, <c>.p12</c>) file.
    /// </summary>
    public string? Certificate { get; set; }

    /// <summary>The private key of a PEM <see cref="Certificate"/>, when it is in a file of its own.</summary>
    public string? Key { get; set; }

    /// <summary>The password of a PKCS#12 file or of an encrypted PEM key.</summary>
    public string? Password { get; set; }

    /// <summary>A certificate store to take the certificate from instead of a file: <c>CurrentUser/My</c> or <c>LocalMachine/My</c>.</summary>
    /// <remarks>Defaults to <c>CurrentUser/My</c> when <see cref="Thumbprint"/> is set.</remarks>
    public string? Store { get; set; }

    /// <summary>The thumbprint (SHA-1, hex) of the certificate in <see cref="Store"/>.</summary>
    public string? Thumbprint { get; set; }

    /// <summary>Whether clients show a certificate: <c>none</c>, <c>optional</c> or <c>required</c>.</summary>
    /// <remarks>Defaults to <see cref="TlsClientCertificateMode.None"/>.</remarks>
    public TlsClientCertificateMode ClientCertificate { get; set; } = TlsClientCertificateMode.None;

    /// <summary>
    /// A PEM file of the certificate authorities a client certificate must chain to. Without it, the system's trusted roots.
    /// </summary>
    public string? ClientCa { get; set; }

    /// <summary>Whether TLS is configured at all.</summary>
    public bool IsEnabled => !string.IsNullOrEmpty(Certificate) || !string.IsNullOrEmpty(Thumbprint);

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(Certificate), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Key), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Password), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Store), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Thumbprint), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(ClientCertificate), ConfigurationShape.Value(ValueForm.Enum<TlsClientCertificateMode>())),
        (nameof(ClientCa), ConfigurationShape.Value(ValueForm.Text)));
}
