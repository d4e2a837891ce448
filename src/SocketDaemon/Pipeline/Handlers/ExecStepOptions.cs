using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline.Handlers;

/// <summary>An <c>Exec</c> step: the child process every message goes through.</summary>
public sealed class ExecStepOptions
{
    /// <summary>The program to run.</summary>
    public string? Command { get; set; }

    /// <summary>Its arguments.</summary>
    public List<string> Args { get; set; } = [];

    /// <summary>Whether the reply replaces the message or the child ends the pipeline.</summary>
    /// <remarks>Defaults to <see cref="ExecMode.Transform"/>.</remarks>
    public ExecMode Mode { get; set; } = ExecMode.Transform;

    /// <summary>In consume mode: whether each message waits for the child's <c>OK</c>.</summary>
    public bool ConfirmWithOk { get; set; }

    /// <summary>How long the child may take to answer.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        StepConditions.HandlerOnly(),
        (nameof(Command), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Args), ConfigurationShape.List(ValueForm.Text)),
        (nameof(Mode), ConfigurationShape.Value(ValueForm.Enum<ExecMode>())),
        (nameof(ConfirmWithOk), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(Timeout), ConfigurationShape.Value(ValueForm.Duration)));
}
