using Microsoft.Extensions.Logging;
using SocketDaemon.Pipeline;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.SyslogOutput;

/// <summary>The Syslog handlers, one per spool directory (<see cref="SpooledHandlers{THandler, TOptions}"/>).</summary>
public sealed class SyslogOutputs(ILogger<SyslogHandler> logger, SocketDaemonMetrics? metrics = null) : SpooledHandlers<SyslogHandler, SyslogOutputOptions>
{
    /// <inheritdoc />
    protected override string SpoolOf(SyslogOutputOptions options) => options.Spool;

    /// <inheritdoc />
    protected override bool IsUnchanged(SyslogHandler running, SyslogOutputOptions options) => running.Options.SameAs(options);

    /// <inheritdoc />
    protected override SyslogHandler Create(SyslogOutputOptions options) => new(options, logger, metrics?.Output("syslog", options.Spool));
}
