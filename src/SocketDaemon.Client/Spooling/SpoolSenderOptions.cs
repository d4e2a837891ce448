namespace SocketDaemon.Client.Spooling;

/// <summary>How a <see cref="SpoolSender"/> batches, spreads and retries.</summary>
internal sealed class SpoolSenderOptions
{
    /// <summary>The most messages in one batch.</summary>
    public int BatchMessages { get; init; } = 1024;

    /// <summary>The most payload bytes in one batch (a single larger message still goes alone).</summary>
    public long BatchBytes { get; init; } = 1 << 20;

    /// <summary>How long to wait for a batch to fill when fewer than <see cref="BatchMessages"/> are ready.</summary>
    public TimeSpan BatchDelay { get; init; }

    /// <summary>How many batches may await their acknowledgement at once on one connection.</summary>
    public int MaxInFlightBatches { get; init; } = 32;

    /// <summary>Whether batches go to every upstream in turn, rather than to the first one that answers.</summary>
    public bool RoundRobin { get; init; }

    /// <summary>The longest wait between two connection attempts to one upstream; it starts at 100 ms and doubles.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long connecting, and the preface, may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>For <c>tls://</c> upstreams: the certificate authorities, as <see cref="SocketDaemonClientOptions.TlsCaFile"/>.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>For <c>tls://</c> upstreams: the certificate shown, as <see cref="SocketDaemonClientOptions.TlsClientCertificate"/>.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsClientCertificate { get; init; }

    /// <summary>For <c>tls://</c> upstreams: the name expected, as <see cref="SocketDaemonClientOptions.TlsServerName"/>.</summary>
    public string? TlsServerName { get; init; }
}
