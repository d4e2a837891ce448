using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Debugging;
using Serilog.Settings.Configuration;

namespace SocketDaemon.Sinks;

/// <summary>
/// Serilog sinks, enrichers and levels from a configuration section shaped as Serilog.Settings.Configuration reads it
/// (<c>Using</c>, <c>WriteTo</c>, <c>MinimumLevel</c>, ...), so an operator adds Seq, OTLP or any sink with no code.
/// </summary>
/// <remarks>
/// Two readers of the one shape. On the JIT (the framework-dependent build, <c>dotnet run</c>, the tests)
/// Serilog.Settings.Configuration finds sink methods by reflection, which trimming cannot follow: the JIT build is
/// never published trimmed, so every sink assembly keeps all its methods, and the one reflective call is here,
/// behind a targeted suppression. The sinks shipped with the daemon are named explicitly (no DependencyContext, no
/// DLL scanning); any other is an assembly the section's <c>Using</c> names, dropped next to the daemon (with its
/// dependencies), which <see cref="LoadFromDaemonDirectory"/> loads. The Native AOT build turns
/// <see cref="IsReflectionSupported"/> off, so the trimmer removes that path (and Serilog.Settings.Configuration
/// with it) and <see cref="ShippedSinks"/> binds the shipped sinks by typed calls instead.
/// </remarks>
internal static class ConfiguredSinks
{
    /// <summary>The feature switch the AOT build sets to <see langword="false"/> (SocketDaemon.csproj).</summary>
    private const string ReflectionSwitch = "SocketDaemon.Sinks.ConfiguredSinks.IsReflectionSupported";

    private static int _resolverInstalled;

    /// <summary>The assemblies whose sinks a section may name without <c>Using</c>.</summary>
    private static Assembly[] Shipped { get; } =
    [
        typeof(ConsoleLoggerConfigurationExtensions).Assembly,
        typeof(FileLoggerConfigurationExtensions).Assembly,
        typeof(SeqLoggerConfigurationExtensions).Assembly,
        typeof(OpenTelemetryLoggerConfigurationExtensions).Assembly,
    ];

    /// <summary>
    /// Whether the section is read by Serilog.Settings.Configuration (sinks found by reflection, drop-in sink
    /// assemblies): on by default wherever code can be generated at run time, off in the Native AOT build.
    /// </summary>
    [FeatureSwitchDefinition(ReflectionSwitch)]
    internal static bool IsReflectionSupported =>
        AppContext.TryGetSwitch(ReflectionSwitch, out var enabled) ? enabled : RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Adds what the section <paramref name="sectionPath"/> configures, if it is there, to <paramref name="logger"/>.</summary>
    public static LoggerConfiguration ReadFrom(LoggerConfiguration logger, IConfiguration configuration, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(configuration);

        // An absent section costs no reflection at all, and loads neither reader.
        if (!configuration.GetSection(sectionPath).Exists())
        {
            return logger;
        }

        return IsReflectionSupported
            ? ReadByReflection(logger, configuration, sectionPath)
            : ShippedSinks.ReadFrom(logger, configuration, sectionPath);
    }

    // Kept out of ReadFrom so that compiling ReadFrom does not load Serilog.Settings.Configuration on every start.
    [MethodImpl(MethodImplOptions.NoInlining)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only on the JIT build, which is not published trimmed: sink assemblies are whole. See the type's remarks.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reached only when IsReflectionSupported, which the Native AOT build turns off.")]
    private static LoggerConfiguration ReadByReflection(LoggerConfiguration logger, IConfiguration configuration, string sectionPath)
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += LoadFromDaemonDirectory;
        }

        var options = new ConfigurationReaderOptions(Shipped) { SectionName = sectionPath, FormatProvider = System.Globalization.CultureInfo.InvariantCulture };

        // Serilog.Settings.Configuration skips a sink it cannot find or call (a misspelt name or argument) and says so
        // only to SelfLog: caught here, so that such a mistake stops start-up (and --check) instead of losing the sink.
        var problems = new List<string>();
        SelfLog.Enable(line =>
        {
            lock (problems)
            {
                problems.Add(line);
            }
        });
        try
        {
            logger.ReadFrom.Configuration(configuration, options);
        }
        finally
        {
            SelfLog.Disable();
        }

        return problems.Count == 0
            ? logger
            : throw new OptionsValidationException(sectionPath, typeof(LoggerConfiguration), [.. problems.Select(p => SelfLogProblem.Describe(sectionPath, WithoutTimestamp(p)))]);
    }

    /// <summary>
    /// Every problem start-up would find in the sinks <paramref name="sectionPath"/> configures, found by opening them
    /// and closing them again, as <c>--check</c> does; none when the section is absent.
    /// </summary>
    public static IReadOnlyList<string> Check(IConfiguration configuration, string sectionPath)
    {
        try
        {
            ReadFrom(new LoggerConfiguration(), configuration, sectionPath).CreateLogger().Dispose();
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or FormatException or TargetInvocationException or NotSupportedException)
        {
            return [$"{sectionPath}: {ex.GetBaseException().Message}"];
        }
    }

    // SelfLog lines start with their UTC time, which an error line does not need.
    private static string WithoutTimestamp(string line) =>
        line.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 && char.IsAsciiDigit(line[0]) ? line[(space + 1)..].TrimEnd() : line.TrimEnd();

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
