using SocketDaemon.Configuration;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Sinks;

/// <summary>A <c>Serilog</c> step: the configuration section naming its sinks, and which messages (its conditions).</summary>
public sealed class SerilogStepOptions : StepConditions
{
    /// <summary>With conditions: whether the messages it writes go no further.</summary>
    /// <remarks>Defaults to <see langword="false"/>: the message goes on to the next step.</remarks>
    public bool? Final { get; set; }

    /// <summary>The configuration section naming its sinks.</summary>
    /// <remarks>Defaults to <c>Serilog:Messages</c>.</remarks>
    public string? Section { get; set; }

    internal static new ConfigurationShape Shape() => ConfigurationShape.Object(
        StepConditions.Shape(),
        (nameof(Final), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(Section), ConfigurationShape.Value(ValueForm.Text)));
}
