using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline.Handlers;

/// <summary>A <c>Forward</c> step: the daemons messages are sent to, how, and which messages (its conditions).</summary>
/// <remarks>
/// The upstreams (<c>unix:/path</c>, <c>tcp://host:port</c>, <c>tls://host:port</c>), TLS, acknowledgement, batch and
/// spool keys are those of every spooled step (<see cref="SpooledUpstreamStepOptions"/>); the spool defaults to
/// <c>spool/forward</c> under <c>StateDirectory</c>.
/// </remarks>
public sealed class ForwardStepOptions() : SpooledUpstreamStepOptions(batchSize: 1024)
{
    /// <summary>The first upstream that is up, or all in turn.</summary>
    /// <remarks>Defaults to <see cref="ForwardBalance.Failover"/>.</remarks>
    public ForwardBalance Balance { get; set; } = ForwardBalance.Failover;

    /// <summary>How long a batch may wait to fill before it goes.</summary>
    /// <remarks>Defaults to 0: what is there goes at once; under load batches fill while earlier ones are in flight.</remarks>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.Zero;

    internal static new ConfigurationShape Shape() => UpstreamShape(
        (nameof(Balance), ConfigurationShape.Value(ValueForm.Enum<ForwardBalance>())),
        (nameof(BatchDelay), ConfigurationShape.Value(ValueForm.Duration)));
}
