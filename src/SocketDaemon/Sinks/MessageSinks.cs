using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;

namespace SocketDaemon.Sinks;

/// <summary>
/// The loggers of <c>Serilog</c> pipeline steps, one per configuration section, made once and kept across reloads
/// (a sink's connection outlives a SIGHUP; a changed section takes effect at the next start). Disposed with the host,
/// after the listeners have drained, which flushes batching sinks such as Seq and OTLP.
/// </summary>
internal sealed class MessageSinks(IConfiguration configuration) : IDisposable
{
    /// <summary>The section a <c>Serilog</c> step reads when it names none.</summary>
    public const string DefaultSection = "Serilog:Messages";

    private readonly ConcurrentDictionary<string, Logger> _loggers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The logger writing to the sinks <paramref name="section"/> configures.</summary>
    public Serilog.ILogger Open(string section) =>
        _loggers.GetOrAdd(section, s => ConfiguredSinks.ReadFrom(new LoggerConfiguration().MinimumLevel.Verbose(), configuration, s).CreateLogger());

    /// <summary>Whether <paramref name="section"/> exists in the configuration.</summary>
    public bool Exists(string section) => configuration.GetSection(section).Exists();

    public void Dispose()
    {
        foreach (var logger in _loggers.Values)
        {
            logger.Dispose();
        }

        _loggers.Clear();
    }
}
