using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Configuration;
using Microsoft.Extensions.Options;
using SocketDaemon.Extensions.Logging;

namespace SocketDaemon.Logging;

/// <summary>
/// Binds <see cref="SocketDaemonLoggerOptions"/> from <c>Logging:SocketDaemon</c>; the configuration binding source
/// generator turns the <c>Bind</c> call into typed code, so this stays trimming-safe (no reflection over the options).
/// </summary>
internal sealed class SocketDaemonLoggerConfigureOptions(ILoggerProviderConfiguration<SocketDaemonLoggerProvider> configuration)
    : IConfigureOptions<SocketDaemonLoggerOptions>
{
    public void Configure(SocketDaemonLoggerOptions options) => configuration.Configuration.Bind(options);
}
