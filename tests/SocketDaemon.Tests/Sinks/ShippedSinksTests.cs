using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serilog;
using SocketDaemon.Sinks;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Sinks;

/// <summary>
/// The Native AOT build reads the <c>Serilog</c> section without reflection (<see cref="ShippedSinks"/>): the same
/// JSON shape, the shipped sinks by name, and one line naming the key for whatever it cannot honour. Run here on the
/// JIT by calling the binder directly; the JIT build itself keeps Serilog.Settings.Configuration.
/// </summary>
public class ShippedSinksTests
{
    [Fact]
    public void The_JIT_build_reads_the_section_by_reflection_and_so_keeps_drop_in_sinks() =>
        Assert.True(ConfiguredSinks.IsReflectionSupported);

    [Fact]
    public void A_File_sink_gets_its_path_template_and_levels_from_the_section()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("extra.log");
        var logger = Read(new()
        {
            ["Serilog:Using:0"] = "Serilog.Sinks.File",
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Serilog:MinimumLevel:Override:Noisy"] = "Error",
            ["Serilog:Properties:Site"] = "edge-1",
            ["Serilog:Enrich:0"] = "FromLogContext",
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = path,
            ["Serilog:WriteTo:0:Args:outputTemplate"] = "{Level:u3} {Site} {Message:lj}{NewLine}",
            ["Serilog:WriteTo:0:Args:restrictedToMinimumLevel"] = "Information",
            ["Serilog:WriteTo:0:Args:rollingInterval"] = "Day",
            ["Serilog:WriteTo:0:Args:fileSizeLimitBytes"] = "",
            // A child section of another reader (the Serilog step's) is not the binder's to refuse.
            ["Serilog:Messages:WriteTo:0:Name"] = "Console",
        });

        logger.Debug("below the sink's level");
        logger.Information("kept {Count}", 1);
        logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Noisy.Thing").Warning("overridden away");
        logger.Dispose();

        var file = Assert.Single(Directory.GetFiles(temp.Path, "extra*.log"));
        Assert.Equal("INF edge-1 kept 1\n", File.ReadAllText(file));
    }

    [Fact]
    public void Seq_and_OpenTelemetry_sinks_bind_their_arguments_by_name()
    {
        using var logger = Read(new()
        {
            ["Serilog:WriteTo:seq:Name"] = "Seq",
            ["Serilog:WriteTo:seq:Args:serverUrl"] = "http://127.0.0.1:1",
            ["Serilog:WriteTo:seq:Args:apiKey"] = "key",
            ["Serilog:WriteTo:seq:Args:period"] = "00:00:02",
            ["Serilog:WriteTo:otlp:Name"] = "OpenTelemetry",
            ["Serilog:WriteTo:otlp:Args:endpoint"] = "http://127.0.0.1:1/v1/logs",
            ["Serilog:WriteTo:otlp:Args:protocol"] = "HttpProtobuf",
            ["Serilog:WriteTo:otlp:Args:headers:Authorization"] = "Bearer x",
            ["Serilog:WriteTo:otlp:Args:resourceAttributes:service.name"] = "socketdaemon",
            ["Serilog:WriteTo:otlp:Args:includedData"] = "MessageTemplateTextAttribute, TraceIdField",
            ["Serilog:WriteTo:console:Name"] = "Console",
            ["Serilog:WriteTo:console:Args:theme"] = "Serilog.Sinks.SystemConsole.Themes.AnsiConsoleTheme::Code, Serilog.Sinks.Console",
            ["Serilog:WriteTo:plain"] = "Console",
        });

        logger.Information("bound");
    }

    [Theory]
    [InlineData("Serilog:Using:0", "Serilog.Sinks.Elasticsearch", "Serilog:Using:0: 'Serilog.Sinks.Elasticsearch': the Native AOT build binds only the sinks compiled into it (Console, File, Seq, OpenTelemetry): install the framework-dependent build (deploy/install.sh --jit) to load others")]
    [InlineData("Serilog:WriteTo:0:Name", "Elasticsearch", "Serilog:WriteTo:0:Name: 'Elasticsearch': the Native AOT build binds only the sinks compiled into it")]
    [InlineData("Serilog:WriteTo:0:Args:pathh", "x.log", "Serilog:WriteTo:0:Args:pathh: the File sink takes no such argument (it takes ")]
    [InlineData("Serilog:WriteTo:0:Args:rollingInterval", "Weekly", "Serilog:WriteTo:0:Args:rollingInterval: 'Weekly' is not a RollingInterval (Infinite, Year, Month, Day, Hour, Minute)")]
    [InlineData("Serilog:MinimumLevel:Default", "Loud", "Serilog:MinimumLevel:Default: 'Loud' is not a level (Verbose, Debug, Information, Warning, Error, Fatal)")]
    [InlineData("Serilog:Filter:0:Name", "ByExcluding", "Serilog:Filter: not supported by the Native AOT build; ")]
    [InlineData("Serilog:Enrich:0", "WithMachineName", "Serilog:Enrich:0: 'WithMachineName' is not an enricher the Native AOT build has (FromLogContext); ")]
    public void What_the_AOT_build_cannot_honour_is_one_line_naming_the_key(string key, string value, string failure)
    {
        using var temp = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = temp.Combine("x.log"),
        };
        settings[key] = value;

        var ex = Assert.Throws<OptionsValidationException>(() => Read(settings));

        Assert.StartsWith(failure, Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    private static Serilog.Core.Logger Read(Dictionary<string, string?> settings) =>
        ShippedSinks.ReadFrom(new LoggerConfiguration(), new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), "Serilog").CreateLogger();
}
