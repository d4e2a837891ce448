using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Settings.Configuration;

namespace SocketDaemon.Sinks;

/// <summary>
/// Serilog sinks, enrichers and levels from a configuration section shaped as Serilog.Settings.Configuration reads it
/// (<c>Using</c>, <c>WriteTo</c>, <c>MinimumLevel</c>, ...), so an operator adds Seq, OTLP or any sink with no code.
/// </summary>
/// <remarks>
/// Serilog.Settings.Configuration finds sink methods by reflection, which trimming cannot follow. The daemon is
/// trimming-clean but never published trimmed (<c>deploy/install.sh</c> and the Debian package publish it whole),
/// so every sink assembly keeps all its methods; the one reflective call is here, behind a targeted suppression.
/// The sinks shipped with the daemon are named explicitly; any other is an assembly the section's <c>Using</c>
/// names, dropped next to the daemon (with its dependencies), which <see cref="LoadFromDaemonDirectory"/> loads.
/// </remarks>
internal static class ConfiguredSinks
{
    private static int _resolverInstalled;

    /// <summary>The assemblies whose sinks a section may name without <c>Using</c>.</summary>
    private static Assembly[] Shipped { get; } =
    [
        typeof(ConsoleLoggerConfigurationExtensions).Assembly,
        typeof(FileLoggerConfigurationExtensions).Assembly,
        typeof(SeqLoggerConfigurationExtensions).Assembly,
        typeof(OpenTelemetryLoggerConfigurationExtensions).Assembly,
    ];

    /// <summary>Adds what the section <paramref name="sectionPath"/> configures, if it is there, to <paramref name="logger"/>.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The daemon is not published trimmed: sink assemblies are whole. See the type's remarks.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The daemon runs on the JIT, never Native AOT.")]
    public static LoggerConfiguration ReadFrom(LoggerConfiguration logger, IConfiguration configuration, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(configuration);

        // An absent section costs no reflection at all.
        if (!configuration.GetSection(sectionPath).Exists())
        {
            return logger;
        }

        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += LoadFromDaemonDirectory;
        }

        var options = new ConfigurationReaderOptions(Shipped) { SectionName = sectionPath, FormatProvider = System.Globalization.CultureInfo.InvariantCulture };
        return logger.ReadFrom.Configuration(configuration, options);
    }

    /// <summary>
    /// A sink assembly the section's <c>Using</c> names but the daemon's dependency manifest does not: looked for next
    /// to the daemon, where an operator drops it.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The daemon is not published trimmed; a dropped-in sink brings its own dependencies.")]
    private static Assembly? LoadFromDaemonDirectory(AssemblyLoadContext context, AssemblyName name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    }
}
