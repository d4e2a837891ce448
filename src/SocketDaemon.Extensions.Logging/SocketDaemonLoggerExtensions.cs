using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Configuration;
using Microsoft.Extensions.Options;
using SocketDaemon.Logging;

namespace SocketDaemon.Extensions.Logging;

/// <summary>Adds the SocketDaemon logger provider to a logging builder.</summary>
public static class SocketDaemonLoggerExtensions
{
    /// <summary>
    /// Sends every log entry to SocketDaemon, with the options of the <c>Logging:SocketDaemon</c> configuration section.
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <returns>The same builder.</returns>
    public static ILoggingBuilder AddSocketDaemon(this ILoggingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddConfiguration();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, SocketDaemonLoggerProvider>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<SocketDaemonLoggerOptions>, SocketDaemonLoggerConfigureOptions>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IOptionsChangeTokenSource<SocketDaemonLoggerOptions>,
            LoggerProviderOptionsChangeTokenSource<SocketDaemonLoggerOptions, SocketDaemonLoggerProvider>>());
        return builder;
    }

    /// <summary>
    /// Sends every log entry to SocketDaemon, with the options of the <c>Logging:SocketDaemon</c> configuration section
    /// and then <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <param name="configure">Sets options, such as <see cref="SocketDaemonLoggerOptions.Endpoint"/>.</param>
    /// <returns>The same builder.</returns>
    /// <example><code>builder.Logging.AddSocketDaemon(o => o.Endpoint = "unix:/run/socketdaemon/socketdaemon.sock");</code></example>
    public static ILoggingBuilder AddSocketDaemon(this ILoggingBuilder builder, Action<SocketDaemonLoggerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddSocketDaemon();
        builder.Services.Configure(configure);
        return builder;
    }
}
