using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;
using Serilog.Sinks.OpenTelemetry;
using Serilog.Sinks.SystemConsole.Themes;

namespace SocketDaemon.Sinks;

/// <summary>
/// The <c>Serilog</c> section without reflection, for the Native AOT build: the same JSON shape as
/// Serilog.Settings.Configuration reads (<c>Using</c>, <c>MinimumLevel</c>, <c>Enrich</c>, <c>Properties</c>,
/// <c>WriteTo: [{ Name, Args }]</c>), bound by typed calls to the sinks the daemon ships: Console, File, Seq and
/// OpenTelemetry, with their arguments' names.
/// </summary>
/// <remarks>
/// Serilog.Settings.Configuration finds sink methods by name at run time and converts arguments by reflection; its
/// own code carries trimming and AOT warnings (IL2104, IL3053, and IL3000/IL3002 through DependencyModel), which
/// rooting the sink methods does not silence. So under AOT the section is read here instead, and what this binder
/// does not know (another sink, a sink assembly in <c>Using</c>, <c>Filter</c>, <c>Destructure</c>, ...) is refused
/// at start with one line naming the key, rather than ignored: a native executable cannot load a dropped-in sink.
/// </remarks>
internal static class ShippedSinks
{
    /// <summary>What the failure lines say to an operator who needs what only the JIT build does.</summary>
    private const string UseJit = "the Native AOT build binds only the sinks compiled into it (Console, File, Seq, OpenTelemetry): install the framework-dependent build (deploy/install.sh --jit) to load others";

    /// <summary>The assemblies a section's <c>Using</c> may name: the ones compiled in.</summary>
    private static readonly HashSet<string> Shipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "Serilog", "Serilog.Sinks.Console", "Serilog.Sinks.File", "Serilog.Sinks.Seq", "Serilog.Sinks.OpenTelemetry",
    };

    /// <summary>Keys of the section Serilog.Settings.Configuration reads that this binder does not.</summary>
    private static readonly string[] Unsupported = ["AuditTo", "Filter", "Destructure", "LevelSwitches"];

    /// <summary>The level names, for a failure line.</summary>
    public const string LevelNames = "level (Verbose, Debug, Information, Warning, Error, Fatal)";

    /// <summary>Adds what the section <paramref name="sectionPath"/> configures to <paramref name="logger"/>.</summary>
    /// <exception cref="OptionsValidationException">A key this binder cannot honour, named in the one failure.</exception>
    public static LoggerConfiguration ReadFrom(LoggerConfiguration logger, IConfiguration configuration, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(sectionPath);

        foreach (var assembly in section.GetSection("Using").GetChildren())
        {
            if (assembly.Value is { } name && !Shipped.Contains(name))
            {
                throw Invalid(assembly.Path, $"'{name}': {UseJit}");
            }
        }

        foreach (var key in Unsupported)
        {
            if (section.GetSection(key).Exists())
            {
                throw Invalid(section.GetSection(key).Path, $"not supported by the Native AOT build; {UseJit}");
            }
        }

        ReadMinimumLevel(logger, section.GetSection("MinimumLevel"));
        foreach (var enricher in section.GetSection("Enrich").GetChildren())
        {
            var name = enricher.Value ?? enricher["Name"];
            _ = string.Equals(name, "FromLogContext", StringComparison.OrdinalIgnoreCase)
                ? logger.Enrich.FromLogContext()
                : throw Invalid(enricher.Path, $"'{name}' is not an enricher the Native AOT build has (FromLogContext); {UseJit}");
        }

        foreach (var property in section.GetSection("Properties").GetChildren())
        {
            logger.Enrich.WithProperty(property.Key, property.Value ?? string.Empty);
        }

        foreach (var sink in section.GetSection("WriteTo").GetChildren())
        {
            // The shapes Serilog.Settings.Configuration takes: an array of { Name, Args } or of bare names, or an
            // object of { Name, Args }.
            WriteTo(logger, sink.Value ?? sink["Name"] ?? throw Invalid($"{sink.Path}:Name", "a sink needs a Name"), sink);
        }

        return logger;
    }

    /// <summary>The exception start-up reports as one line (<c>invalid configuration: KEY: WHY</c>) and exit 78.</summary>
    public static OptionsValidationException Invalid(string key, string why) =>
        new(key, typeof(LoggerConfiguration), [$"{key}: {why}"]);

    public static bool TryParseLevel(string value, out LogEventLevel level) =>
        Enum.TryParse(value, ignoreCase: true, out level) && Enum.IsDefined(level);

    private static void ReadMinimumLevel(LoggerConfiguration logger, IConfigurationSection minimum)
    {
        // "MinimumLevel": "Debug", or { "Default": "Debug", "Override": { "Microsoft": "Warning" } }.
        if (minimum.Value is { } only)
        {
            logger.MinimumLevel.Is(Level(minimum.Path, only));
            return;
        }

        if (minimum["Default"] is { } level)
        {
            logger.MinimumLevel.Is(Level($"{minimum.Path}:Default", level));
        }

        foreach (var source in minimum.GetSection("Override").GetChildren())
        {
            logger.MinimumLevel.Override(source.Key, Level(source.Path, source.Value ?? string.Empty));
        }
    }

    private static LogEventLevel Level(string key, string value) =>
        TryParseLevel(value, out var level) ? level : throw Invalid(key, $"'{value}' is not a {LevelNames}");

    private static void WriteTo(LoggerConfiguration logger, string name, IConfigurationSection sink)
    {
        var args = new SinkArguments(sink.GetSection("Args"), name);
        var formatProvider = CultureInfo.InvariantCulture;
        switch (name.ToUpperInvariant())
        {
            case "CONSOLE":
                var consoleFormatter = Formatter(args);
                var restrictedTo = args.Level("restrictedToMinimumLevel");
                var standardErrorFromLevel = args.Enumeration<LogEventLevel>("standardErrorFromLevel");
                var template = args.String("outputTemplate");
                var theme = Theme(args);
                var applyToRedirected = args.Boolean("applyThemeToRedirectedOutput") ?? false;
                args.RejectOthers();
                _ = consoleFormatter is not null
                    ? logger.WriteTo.Console(consoleFormatter, restrictedTo, standardErrorFromLevel: standardErrorFromLevel)
                    : logger.WriteTo.Console(
                        restrictedTo,
                        template ?? "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                        formatProvider,
                        standardErrorFromLevel: standardErrorFromLevel,
                        theme: theme,
                        applyThemeToRedirectedOutput: applyToRedirected);
                break;

            case "FILE":
                WriteToFile(logger, args, formatProvider);
                break;

            case "SEQ":
                var serverUrl = args.Required("serverUrl");
                var seqLevel = args.Level("restrictedToMinimumLevel");
                var batchPostingLimit = args.Int32("batchPostingLimit") ?? 1000;
                var period = args.Duration("period");
                var apiKey = args.String("apiKey");
                var bufferBaseFilename = args.String("bufferBaseFilename");
                var bufferSizeLimitBytes = args.Int64("bufferSizeLimitBytes");
                var eventBodyLimitBytes = args.Int64("eventBodyLimitBytes") ?? 256 * 1024;
                var retainedInvalidPayloadsLimitBytes = args.Int64("retainedInvalidPayloadsLimitBytes");
                var queueSizeLimit = args.Int32("queueSizeLimit") ?? 100_000;
                args.RejectOthers();
                logger.WriteTo.Seq(
                    serverUrl,
                    seqLevel,
                    batchPostingLimit,
                    period,
                    apiKey,
                    bufferBaseFilename,
                    bufferSizeLimitBytes,
                    eventBodyLimitBytes,
                    retainedInvalidPayloadsLimitBytes: retainedInvalidPayloadsLimitBytes,
                    queueSizeLimit: queueSizeLimit,
                    formatProvider: formatProvider);
                break;

            case "OPENTELEMETRY":
                var endpoint = args.String("endpoint") ?? "http://localhost:4317";
                var protocol = args.Enumeration<OtlpProtocol>("protocol") ?? OtlpProtocol.Grpc;
                var headers = args.Map("headers");
                var resource = args.Map("resourceAttributes")?.ToDictionary(p => p.Key, object (p) => p.Value, StringComparer.Ordinal);
                var includedData = args.Enumeration<IncludedData>("includedData");
                var otlpLevel = args.Level("restrictedToMinimumLevel");
                args.RejectOthers();
                logger.WriteTo.OpenTelemetry(endpoint, protocol, headers, resource, includedData, otlpLevel);
                break;

            default:
                throw Invalid($"{sink.Path}:Name", $"'{name}': {UseJit}");
        }
    }

    private static void WriteToFile(LoggerConfiguration logger, SinkArguments args, IFormatProvider formatProvider)
    {
        var formatter = Formatter(args);
        var path = args.Required("path");
        var level = args.Level("restrictedToMinimumLevel");
        var template = args.String("outputTemplate") ?? "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}";
        var sizeLimit = !args.IsGiven("fileSizeLimitBytes") ? 1L << 30 : args.Int64("fileSizeLimitBytes");
        var buffered = args.Boolean("buffered") ?? false;
        var shared = args.Boolean("shared") ?? false;
        var flushInterval = args.Duration("flushToDiskInterval");
        var rolling = args.Enumeration<RollingInterval>("rollingInterval") ?? RollingInterval.Infinite;
        var rollOnSize = args.Boolean("rollOnFileSizeLimit") ?? false;
        var retainedCount = !args.IsGiven("retainedFileCountLimit") ? 31 : args.Int32("retainedFileCountLimit");
        var retainedTime = args.Duration("retainedFileTimeLimit");
        args.RejectOthers();
        _ = formatter is not null
            ? logger.WriteTo.File(
                formatter, path, level, sizeLimit, buffered: buffered, shared: shared, flushToDiskInterval: flushInterval,
                rollingInterval: rolling, rollOnFileSizeLimit: rollOnSize, retainedFileCountLimit: retainedCount,
                retainedFileTimeLimit: retainedTime)
            : logger.WriteTo.File(
                path, level, template, formatProvider, sizeLimit, buffered: buffered, shared: shared,
                flushToDiskInterval: flushInterval, rollingInterval: rolling, rollOnFileSizeLimit: rollOnSize,
                retainedFileCountLimit: retainedCount, retainedFileTimeLimit: retainedTime);
    }

    /// <summary><c>formatter</c>: by type name as Serilog.Settings.Configuration takes it; Serilog's JSON formatter only.</summary>
    private static JsonFormatter? Formatter(SinkArguments args) =>
        args.String("formatter") is not { } formatter ? null
        : TypeName(formatter) == typeof(JsonFormatter).FullName ? new JsonFormatter(formatProvider: CultureInfo.InvariantCulture)
        : throw args.Invalid("formatter", $"'{formatter}' is not a formatter the Native AOT build has ({typeof(JsonFormatter).FullName}); {UseJit}");

    /// <summary><c>theme</c>: a static member as Serilog.Settings.Configuration names it (<c>Type::Member, Assembly</c>).</summary>
    private static ConsoleTheme? Theme(SinkArguments args) =>
        args.String("theme") is not { } theme ? null
        : TypeName(theme).Split("::") switch
        {
            [.., "AnsiConsoleTheme", "Code"] => AnsiConsoleTheme.Code,
            [.., "AnsiConsoleTheme", "Grayscale"] => AnsiConsoleTheme.Grayscale,
            [.., "AnsiConsoleTheme", "Literate"] => AnsiConsoleTheme.Literate,
            [.., "AnsiConsoleTheme", "Sixteen"] => AnsiConsoleTheme.Sixteen,
            [.., "SystemConsoleTheme", "Grayscale"] => SystemConsoleTheme.Grayscale,
            [.., "SystemConsoleTheme", "Literate"] => SystemConsoleTheme.Literate,
            [.., "SystemConsoleTheme", "Colored"] => SystemConsoleTheme.Colored,
            [.., "ConsoleTheme", "None"] => ConsoleTheme.None,
            _ => throw args.Invalid("theme", $"'{theme}' is not one of the Console sink's themes (AnsiConsoleTheme::Code, ...)"),
        };

    /// <summary>"Namespace.Type::Member, Assembly" without the assembly; the namespace kept only for a formatter.</summary>
    private static string TypeName(string value)
    {
        var name = value.Split(',')[0].Trim();
        var member = name.IndexOf("::", StringComparison.Ordinal);
        if (member < 0)
        {
            return name;
        }

        var type = name[..member];
        return $"{type[(type.LastIndexOf('.') + 1)..]}{name[member..]}";
    }
}
