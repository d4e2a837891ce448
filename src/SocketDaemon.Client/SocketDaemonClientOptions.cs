namespace SocketDaemon.Client;

/// <summary>Options for <see cref="SocketDaemonClient"/>.</summary>
public sealed class SocketDaemonClientOptions
{
    /// <summary>How messages are framed on the wire.</summary>
    /// <remarks>
    /// Defaults to <see cref="MessageFraming.Native"/>, the only framing whose messages the daemon acknowledges.
    /// Use <see cref="MessageFraming.Seed"/> for the classic <c>sock-server.c</c>.
    /// </remarks>
    public MessageFraming Framing { get; set; } = MessageFraming.Native;

    /// <summary>How long connecting may take.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the daemon may take to acknowledge a batch or answer a request.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many bytes of messages a batch (or, without the native protocol, one socket write) gathers.</summary>
    /// <remarks>Defaults to 64 KiB.</remarks>
    public int BatchBytes { get; set; } = 64 * 1024;

    /// <summary>How many messages a native-protocol batch holds at most.</summary>
    /// <remarks>Defaults to 1024.</remarks>
    public int BatchMessages { get; set; } = 1024;

    /// <summary>How many native-protocol batches may await their acknowledgement at once; more wait.</summary>
    /// <remarks>Defaults to 8: enough to keep the daemon busy, little enough to bound memory.</remarks>
    public int MaxInFlightBatches { get; set; } = 8;

    /// <summary>
    /// Whether a lost native-protocol connection is reconnected, with a growing delay between tries, and the
    /// batches that were not yet acknowledged sent again (so a message may arrive twice, never not at all).
    /// </summary>
    /// <remarks>Defaults to <see langword="false"/>: a lost connection fails what is pending.</remarks>
    public bool Reconnect { get; set; }

    /// <summary>How long reconnecting may keep trying before pending sends fail.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>For <c>tls://</c>: a PEM file of the certificate authorities the daemon's certificate must chain to.</summary>
    /// <remarks>Defaults to the system's trusted roots.</remarks>
    public string? TlsCaFile { get; set; }

    /// <summary>For <c>tls://</c>: the certificate (with its private key) shown to a daemon that asks for one.</summary>
    /// <remarks>Defaults to none.</remarks>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsClientCertificate { get; set; }

    /// <summary>For <c>tls://</c>: the name the daemon's certificate must carry (and the SNI sent).</summary>
    /// <remarks>Defaults to the endpoint's host.</remarks>
    public string? TlsServerName { get; set; }
}
