namespace SocketDaemon.Pipeline;

/// <summary>One entry of the <c>Pipeline</c> list: which handler, and its own settings beside <see cref="Handler"/>.</summary>
public sealed class PipelineStepOptions
{
    /// <summary>The handler's name, such as <c>Commands</c> or <c>Log</c>.</summary>
    public string? Handler { get; set; }

    /// <summary>For a <c>Log</c> step: the file, relative to the log directory, that messages are written to.</summary>
    /// <remarks>Defaults to <c>messages.log</c>; rolling inserts the date before the extension.</remarks>
    public string? Path { get; set; }

    /// <summary>For a <c>Log</c> step: the Serilog output template of each line.</summary>
    /// <remarks>Defaults to <see cref="Handlers.LogHandler.DefaultOutputTemplate"/>.</remarks>
    public string? OutputTemplate { get; set; }

    /// <summary>For a <c>Log</c> step: how many rolled files to keep.</summary>
    /// <remarks>Defaults to 31.</remarks>
    public int? RetainedFileCountLimit { get; set; }

    /// <summary>For a <c>Log</c> step: the size at which a file rolls over to the next.</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long? FileSizeLimitBytes { get; set; }
}
