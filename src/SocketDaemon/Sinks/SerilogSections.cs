using Microsoft.Extensions.Configuration;

namespace SocketDaemon.Sinks;

/// <summary>The Serilog sections start-up opens: the operational log's (<c>Serilog</c>) and each <c>Serilog</c> step's.</summary>
internal static class SerilogSections
{
    /// <summary>The operational log's own section, over its built-in console and file sinks.</summary>
    public const string Operational = "Serilog";

    /// <summary>Every problem in the sinks of those sections, as <see cref="ConfiguredSinks.Check"/> finds them.</summary>
    public static List<string> Check(IConfiguration configuration)
    {
        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Operational };
        foreach (var step in configuration.GetSection("SocketDaemon:Pipeline").GetChildren())
        {
            if (string.Equals(step["Handler"], "Serilog", StringComparison.OrdinalIgnoreCase))
            {
                sections.Add(step["Section"] is { Length: > 0 } section ? section : MessageSinks.DefaultSection);
            }
        }

        return [.. sections.SelectMany(section => ConfiguredSinks.Check(configuration, section))];
    }
}
