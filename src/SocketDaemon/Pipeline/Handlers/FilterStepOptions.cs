using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline.Handlers;

/// <summary>A <c>Filter</c> step: its conditions, and whether the messages they match are dropped or kept.</summary>
public sealed class FilterStepOptions : StepConditions
{
    /// <summary>Drop the messages that match, or keep only those.</summary>
    /// <remarks>Defaults to <see cref="FilterAction.Drop"/>.</remarks>
    public FilterAction Action { get; set; } = FilterAction.Drop;

    internal static new ConfigurationShape Shape() => ConfigurationShape.Object(
        StepConditions.Shape(),
        (nameof(Action), ConfigurationShape.Value(ValueForm.Enum<FilterAction>())));
}
