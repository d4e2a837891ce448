using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline.Handlers;

/// <summary>A <c>Log</c> step: the file messages are written to, and which messages (its conditions).</summary>
public sealed class LogStepOptions : StepConditions
{
    /// <summary>With conditions: whether the messages it writes go no further (the way a syslog-ng <c>log</c> path with <c>flags(final)</c> ends).</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool? Final { get; set; }

    /// <summary>
    /// The file, relative to the log directory, that messages are written to. It may name message properties, as
    /// <c>apps/{AppName}.log</c>: each message goes to the file its values make (<see cref="MessageLog.LogPathTemplate"/>).
    /// </summary>
    /// <remarks>Defaults to <c>messages.log</c>; rolling inserts the date before the extension.</remarks>
    public string? Path { get; set; }

    /// <summary>With a <see cref="Path"/> that names properties: how many of its files may be open at once; the least recently used is closed.</summary>
    /// <remarks>Defaults to <see cref="MessageLog.DynamicLogFiles.DefaultMaxOpenFiles"/> (100).</remarks>
    public int? MaxOpenFiles { get; set; }

    /// <summary>The Serilog output template of each line.</summary>
    /// <remarks>Defaults to <see cref="LogHandler.DefaultOutputTemplate"/>.</remarks>
    public string? OutputTemplate { get; set; }

    /// <summary>What each line is: <see cref="LogFormat.Text"/>, or <see cref="LogFormat.Json"/>, one JSON object per line (<c>docs/json-format.md</c>).</summary>
    /// <remarks>Defaults to <see cref="LogFormat.Text"/>.</remarks>
    public LogFormat Format { get; set; } = LogFormat.Text;

    /// <summary>How many rolled files to keep.</summary>
    /// <remarks>Defaults to 31.</remarks>
    public int? RetainedFileCountLimit { get; set; }

    /// <summary>The size at which a file rolls over to the next.</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long? FileSizeLimitBytes { get; set; }

    internal static new ConfigurationShape Shape() => ConfigurationShape.Object(
        StepConditions.Shape(),
        (nameof(Final), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(Path), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(MaxOpenFiles), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(OutputTemplate), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Format), ConfigurationShape.Value(ValueForm.Enum<LogFormat>())),
        (nameof(RetainedFileCountLimit), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(FileSizeLimitBytes), ConfigurationShape.Value(ValueForm.Bytes)));
}
