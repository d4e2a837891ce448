using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline.Handlers;

/// <summary>A <c>Forward</c> step: the daemons messages are sent to, how, and which messages (its conditions).</summary>
public sealed class ForwardStepOptions : StepConditions
{
    /// <summary>With conditions: whether the messages it takes go no further.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool? Final { get; set; }

    /// <summary>The daemons to send messages to (<c>unix:/path</c>, <c>tcp://host:port</c>, <c>tls://host:port</c>).</summary>
    public List<string> Upstreams { get; set; } = [];

    /// <summary>The first upstream that is up, or all in turn.</summary>
    /// <remarks>Defaults to <see cref="ForwardBalance.Failover"/>.</remarks>
    public ForwardBalance Balance { get; set; } = ForwardBalance.Failover;

    /// <summary>When the sender's message counts as committed.</summary>
    /// <remarks>Defaults to <see cref="ForwardAcknowledge.Downstream"/>.</remarks>
    public ForwardAcknowledge Acknowledge { get; set; } = ForwardAcknowledge.Downstream;

    /// <summary>The most messages in one batch to an upstream.</summary>
    /// <remarks>Defaults to 1024, the native client's batch, so that an app's batch waits for one upstream acknowledgement.</remarks>
    public int BatchSize { get; set; } = 1024;

    /// <summary>How long a batch may wait to fill before it goes.</summary>
    /// <remarks>Defaults to 0: what is there goes at once; under load batches fill while earlier ones are in flight.</remarks>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The spool directory.</summary>
    /// <remarks>Defaults to <c>spool/forward</c> under <c>StateDirectory</c>.</remarks>
    public string? Spool { get; set; }

    /// <summary>The most the spool may hold; past it messages are refused (<c>Busy</c>).</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long SpoolMaxBytes { get; set; } = 1L << 30;

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

    internal static new ConfigurationShape Shape() => ConfigurationShape.Object(
        StepConditions.Shape(),
        (nameof(Final), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(Upstreams), ConfigurationShape.List(ValueForm.Text)),
        (nameof(Balance), ConfigurationShape.Value(ValueForm.Enum<ForwardBalance>())),
        (nameof(Acknowledge), ConfigurationShape.Value(ValueForm.Enum<ForwardAcknowledge>())),
        (nameof(BatchSize), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(BatchDelay), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(Spool), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(SpoolMaxBytes), ConfigurationShape.Value(ValueForm.Bytes)),
        (nameof(TlsCaFile), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(TlsCertificateFile), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(TlsKeyFile), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(TlsServerName), ConfigurationShape.Value(ValueForm.Text)));
}
