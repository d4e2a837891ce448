using SocketDaemon.Client;
using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// The keys of a spooled step that sends to upstreams over sockets (<c>Forward</c>, <c>Syslog</c>): the upstreams, and
/// the TLS client files for <c>tls://</c> ones.
/// </summary>
/// <param name="batchSize">The step's default <see cref="SpooledStepOptions.BatchSize"/>.</param>
public abstract class SpooledUpstreamStepOptions(int batchSize) : SpooledStepOptions(batchSize)
{
    /// <summary>Where messages are sent: <c>unix:/path</c>, <c>tcp://host:port</c>, <c>tls://host:port</c> (<c>Syslog</c>: also <c>udp://host:port</c>).</summary>
    public List<string> Upstreams { get; set; } = [];

    /// <summary>For <c>tls://</c> upstreams: a PEM file of the CAs their certificates must chain to.</summary>
    /// <remarks>Defaults to the system's trusted roots.</remarks>
    public string? TlsCaFile { get; set; }

    /// <summary>A PEM file of the client certificate (with its key, or see <see cref="TlsKeyFile"/>) shown to upstreams that ask.</summary>
    /// <remarks>Defaults to none.</remarks>
    public string? TlsCertificateFile { get; set; }

    /// <summary>A PEM file of the client certificate's private key, when it is not in <see cref="TlsCertificateFile"/>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>The name the upstreams' certificates must carry.</summary>
    /// <remarks>Defaults to each upstream's host.</remarks>
    public string? TlsServerName { get; set; }

    /// <summary>The TLS client settings, or <see langword="null"/> when the step sets none (the system's roots, no client certificate).</summary>
    internal ForwardTlsOptions? Tls() =>
        TlsCaFile is null && TlsCertificateFile is null && TlsServerName is null
            ? null
            : new ForwardTlsOptions(TlsCaFile, TlsCertificateFile, TlsKeyFile, TlsServerName);

    /// <summary>
    /// Checks the upstreams: at least one (else <paramref name="none"/>), each an endpoint <paramref name="accepts"/>
    /// (else it is not one of <paramref name="kinds"/>).
    /// </summary>
    internal void ValidateUpstreams(PipelineStepValidation validation, string none, Func<SocketEndpoint, bool> accepts, string kinds)
    {
        if (Upstreams.Count == 0)
        {
            validation.Fail(nameof(Upstreams), none);
        }

        for (var u = 0; u < Upstreams.Count; u++)
        {
            if (!SocketEndpoint.TryParse(Upstreams[u], out var endpoint, out _) || !accepts(endpoint!))
            {
                validation.Fail($"{nameof(Upstreams)}:{u}", $"'{Upstreams[u]}' is not a {kinds} endpoint");
            }
        }
    }

    /// <summary>Checks the TLS client files as start-up will use them (<see cref="ForwardTlsOptions.Validate"/>).</summary>
    private protected override void ValidateConnection(PipelineStepValidation validation) =>
        ForwardTlsOptions.Validate(validation, TlsCaFile, TlsCertificateFile, TlsKeyFile);

    /// <summary>The keys of a spooled step with upstreams, after the conditions, with the step's own keys.</summary>
    internal static ConfigurationShape UpstreamShape(params (string Name, ConfigurationShape Shape)[] more) => SpooledShape(
        [
            (nameof(Upstreams), ConfigurationShape.List(ValueForm.Text)),
            (nameof(TlsCaFile), ConfigurationShape.Value(ValueForm.Text)),
            (nameof(TlsCertificateFile), ConfigurationShape.Value(ValueForm.Text)),
            (nameof(TlsKeyFile), ConfigurationShape.Value(ValueForm.Text)),
            (nameof(TlsServerName), ConfigurationShape.Value(ValueForm.Text)),
            .. more,
        ]);
}
