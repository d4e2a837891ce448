namespace SocketDaemon.Transport;

/// <summary>Whether a TLS listener asks its clients for a certificate.</summary>
public enum TlsClientCertificateMode
{
    /// <summary>No client certificate is asked for.</summary>
    None,

    /// <summary>A client may show one; if it does, it must be valid.</summary>
    Optional,

    /// <summary>A client without a valid certificate is refused.</summary>
    Required,
}
