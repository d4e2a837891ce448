using Microsoft.Extensions.Logging;
using SocketDaemon.Configuration;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>The Forward handlers, one per spool directory (<see cref="SpooledHandlers{THandler, TOptions}"/>).</summary>
public sealed class ForwardHandlers(ILogger<ForwardHandler> logger) : SpooledHandlers<ForwardHandler, ForwardOptions>
{
    /// <inheritdoc />
    protected override string SpoolOf(ForwardOptions options) => options.Spool;

    /// <inheritdoc />
    protected override bool IsUnchanged(ForwardHandler running, ForwardOptions options) => running.Options.SameAs(options);

    /// <inheritdoc />
    protected override ForwardHandler Create(ForwardOptions options) => new(options, logger);

    /// <summary>The spool directory of a Forward step: its <c>Spool</c>, else <c>spool/forward</c> under the state directory.</summary>
    internal static string SpoolDirectory(SharedSettings options, ForwardStepOptions step) =>
        step.SpoolDirectory(DefaultLocations.StateDirectory(options), "forward");
}
