using Microsoft.Extensions.Logging;
using SocketDaemon.Pipeline;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.PostgresOutput;

/// <summary>The Postgres handlers, one per spool directory (<see cref="SpooledHandlers{THandler, TOptions}"/>).</summary>
public sealed class PostgresOutputs(ILogger<PostgresHandler> logger, SocketDaemonMetrics? metrics = null) : SpooledHandlers<PostgresHandler, PostgresOutputOptions>
{
    /// <inheritdoc />
    protected override string SpoolOf(PostgresOutputOptions options) => options.Spool;

    /// <inheritdoc />
    protected override bool IsUnchanged(PostgresHandler running, PostgresOutputOptions options) => running.Options == options;

    /// <inheritdoc />
    protected override PostgresHandler Create(PostgresOutputOptions options) => new(options, logger, metrics?.Output("postgres", options.Spool));
}
