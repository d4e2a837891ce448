namespace SocketDaemon.Pipeline;

/// <summary>
/// One entry of the <c>Pipeline</c> list: which handler. The step's own settings, beside <see cref="Handler"/>, are
/// bound to the options type its <see cref="MessageHandlerRegistration"/> names.
/// </summary>
public sealed class PipelineStepOptions
{
    /// <summary>The handler's name, such as <c>Commands</c> or <c>Log</c>.</summary>
    public string? Handler { get; set; }

    /// <summary>The step's settings, of its handler's options type; <see langword="null"/> for the handler's defaults.</summary>
    internal object? Settings { get; set; }
}
