using SocketDaemon.Configuration;
namespace SocketDaemon.Nats;

/// <summary>
/// The <c>SocketDaemon:Nats</c> section: how the daemon reaches NATS (credentials, TLS), the JetStream streams it
/// creates when they are missing, and how much it keeps in flight. <c>Nats</c> pipeline steps and <c>nats://</c>
/// listeners share it.
/// </summary>
public sealed class NatsOptions
{
    /// <summary>The server a <c>Nats</c> step publishes to unless it names its own <c>Url</c>.</summary>
    public string Url { get; set; } = "nats://127.0.0.1:4222";

    /// <summary>User name, with <see cref="Password"/>.</summary>
    public string? User { get; set; }

    /// <summary>Password of <see cref="User"/>.</summary>
    public string? Password { get; set; }

    /// <summary>An authentication token.</summary>
    public string? Token { get; set; }

    /// <summary>A <c>.creds</c> file (a user JWT and its NKey seed), as <c>nsc</c> writes it.</summary>
    public string? CredsFile { get; set; }

    /// <summary>An NKey seed file.</summary>
    public string? NKeyFile { get; set; }

    /// <summary>The PEM file of the certificate authority that signed the server's certificate; turns TLS on.</summary>
    public string? TlsCa { get; set; }

    /// <summary>A client certificate (PEM) for servers that verify clients, with <see cref="TlsKey"/>.</summary>
    public string? TlsCert { get; set; }

    /// <summary>The private key (PEM) of <see cref="TlsCert"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>How each stream is created when it is missing, by stream name. A stream that exists is left as it is.</summary>
    public Dictionary<string, NatsStreamOptions> Streams { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Publishes awaiting JetStream's acknowledgement at once, per <c>Nats</c> step.</summary>
    /// <remarks>Defaults to 256.</remarks>
    public int MaxInFlight { get; set; } = 256;

    /// <summary>
    /// Messages a <c>Nats</c> step holds while NATS is slow or unreachable, beyond those in flight. When it is full the
    /// step waits, and so do the senders: memory stays bounded.
    /// </summary>
    /// <remarks>Defaults to 8192.</remarks>
    public int MaxPending { get; set; } = 8192;

    /// <summary>Messages a <c>nats://</c> listener takes from its consumer, runs through the pipeline and commits at once.</summary>
    /// <remarks>Defaults to 256.</remarks>
    public int FetchBatch { get; set; } = 256;

    /// <summary>How long NATS waits for a <c>nats://</c> listener's acknowledgement before it delivers a message again (maybe to another daemon).</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most a <c>Nats</c> step's spool (<c>StateDirectory/spool/nats/STREAM-SERVER</c>) holds while NATS is
    /// unreachable; when it is full the step waits, and so do the senders.
    /// </summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long SpoolMaxBytes { get; set; } = 1L << 30;

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(Url), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(User), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Password), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Token), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(CredsFile), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(NKeyFile), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(TlsCa), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(TlsCert), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(TlsKey), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Streams), ConfigurationShape.Map(NatsStreamOptions.Shape())),
        (nameof(MaxInFlight), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(MaxPending), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(FetchBatch), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(AckWait), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(SpoolMaxBytes), ConfigurationShape.Value(ValueForm.Bytes)));
}
