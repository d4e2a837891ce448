using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using SocketDaemon.Configuration;
using SocketDaemon.Hosting.Logging;
using SocketDaemon.Sinks;

namespace SocketDaemon.Hosting;

/// <summary>Builds the daemon's generic host.</summary>
public static class SocketDaemonHost
{
    /// <summary>The operational log file in the log directory; the message log is kept apart from it.</summary>
    public const string OperationalLogFile = "socketdaemon.log";

    /// <summary>
    /// The configuration section that adds sinks (and levels, enrichers) to the operational log, as
    /// Serilog.Settings.Configuration reads it; its <c>Messages</c> child is the <c>Serilog</c> pipeline step's.
    /// </summary>
    public const string OperationalLogSection = "Serilog";

    /// <summary>
    /// Creates a host builder with the daemon's configuration sources, services and logging. Configuration comes from
    /// <c>appsettings.json</c> next to the executable, systemd's <c>CONFIGURATION_DIRECTORY</c>, the
    /// <c>--config</c> file, the environment (<c>SOCKETDAEMON__LIMITS__MAXMESSAGEBYTES</c>) and the command line,
    /// each over the one before.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(DaemonCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var args = commandLine.ConfigurationArgs?.ToArray() ?? [];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,

            // Configuration changes take effect on SIGHUP, as syslog daemons do, not whenever an editor saves a file.
            Configuration = new ConfigurationManager { ["hostBuilder:reloadConfigOnChange"] = "false" },
        });

        var configurationDirectory = Environment.GetEnvironmentVariable("CONFIGURATION_DIRECTORY");
        if (!string.IsNullOrEmpty(configurationDirectory))
        {
            builder.Configuration.AddJsonFile(Path.Combine(configurationDirectory.Split(':')[0], "appsettings.json"), optional: true);
        }

        if (commandLine.ConfigFile is { } configFile)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        // The environment and the command line still win over the files just added.
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        if (commandLine.LogDirectory is { } logDirectory)
        {
            builder.Configuration[$"{SocketDaemonOptions.SectionName}:{nameof(SocketDaemonOptions.LogDirectory)}"] = Path.GetFullPath(logDirectory);
        }

        // A no-op unless started by the Windows service control manager.
        builder.Services.AddWindowsService(options => options.ServiceName = "SocketDaemon");
        // The command line's own keys, apart: those for a --listen listener apply to it.
        var commandLineKeys = new ConfigurationBuilder().AddCommandLine(args).Build();
        builder.Services.AddSocketDaemon(builder.Configuration, commandLine.Listen, commandLineKeys);
        if (commandLine.Check)
        {
            // --check writes nothing: no operational log file, no console lines beside its own.
            builder.Logging.ClearProviders();
        }
        else
        {
            AddOperationalLog(builder);
        }

        return builder;
    }

    // Under systemd, with the journal on stderr or stdout: priority prefixes and no timestamp; else the terminal's form.
    private static LoggerConfiguration WriteToConsole(this LoggerConfiguration log, int? journal) => journal is { } fd
        ? log.WriteTo.Console(new JournalFormatter(), standardErrorFromLevel: fd == 2 ? LogEventLevel.Verbose : null)
        : log.WriteTo.Console(
            outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}",
            formatProvider: System.Globalization.CultureInfo.InvariantCulture);

    private static void AddOperationalLog(HostApplicationBuilder builder)
    {
        var directory = DefaultLocations.LogDirectory(builder.Configuration[$"{SocketDaemonOptions.SectionName}:{nameof(SocketDaemonOptions.LogDirectory)}"]);
        builder.Logging.ClearProviders();
        var journal = JournalStream.Find();
        builder.Services.AddSerilog(
            (services, log) => ConfiguredSinks.ReadFrom(log
                .MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                // The NATS client logs every reconnect attempt with a stack trace; the daemon says what matters itself.
                .MinimumLevel.Override("NATS", LogEventLevel.Error)
                // A failed start is reported once, as one line naming the key, by Program; not again with a stack trace.
                .MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", LogEventLevel.Fatal)
                .Enrich.FromLogContext()
                .WriteToConsole(journal)
                .WriteTo.File(
                    Path.Combine(directory, OperationalLogFile),
                    outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                    formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                    rollingInterval: RollingInterval.Day,
                    retainedFileCountLimit: 14),
                // Then the Serilog section, if any: more sinks, other levels, over the defaults above.
                services.GetRequiredService<IConfiguration>(),
                OperationalLogSection),
            // Several daemons may share a process (tests, embedding): none takes over the global Log.Logger.
            preserveStaticLogger: true);
    }
}
