using SocketDaemon.Configuration;
using SocketDaemon.Syslog;

namespace SocketDaemon.Pipeline.Parsing;

/// <summary>The settings of a <c>Parse</c> pipeline step.</summary>
public sealed class ParseOptions
{
    /// <summary>What messages are read as.</summary>
    /// <remarks>Defaults to <see cref="ParseFormat.Auto"/>.</remarks>
    public ParseFormat Format { get; set; } = ParseFormat.Auto;

    /// <summary>
    /// Reads a step's <c>Format</c> setting (<c>syslog</c>, <c>json</c> or <c>auto</c>, any case).
    /// </summary>
    /// <exception cref="ArgumentException">The value is none of them; the message names the key.</exception>
    /// <summary>The configuration keys of a <c>Parse</c> step.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        Pipeline.StepConditions.HandlerOnly(),
        (nameof(Format), ConfigurationShape.Value(ValueForm.Enum<ParseFormat>())));

    public static ParseOptions From(string? format) => new()
    {
        Format = format is null ? ParseFormat.Auto
            : Enum.TryParse<ParseFormat>(format, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(format, out _) ? parsed
            : throw new ArgumentException($"Format: '{format}' is not one of syslog, json, auto"),
    };
}
