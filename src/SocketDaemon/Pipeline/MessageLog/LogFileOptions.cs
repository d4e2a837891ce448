using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// How the message log files are named, compressed and kept (<c>SocketDaemon:LogFiles</c>); they apply to every
/// fast-path <c>Log</c> step's file, beside each step's <c>FileSizeLimitBytes</c> and <c>RetainedFileCountLimit</c>.
/// </summary>
public sealed class LogFileOptions
{
    /// <summary>The configuration section, under <c>SocketDaemon</c>.</summary>
    public const string SectionName = "LogFiles";

    /// <summary>
    /// How the files are named: <see cref="LogFileNaming.Stable"/> unless set, so that <c>tail -F</c> and log shippers
    /// follow <c>messages.log</c> across rolls as they do rsyslog's and syslog-ng's files.
    /// </summary>
    public LogFileNaming Naming { get; set; } = LogFileNaming.Stable;

    /// <summary>How rolled files are compressed: not at all unless set.</summary>
    public LogFileCompression Compression { get; set; } = LogFileCompression.None;

    /// <summary>Rolled files last written longer ago than this are deleted at the next roll (or start); none when unset.</summary>
    public TimeSpan? RetainedAge { get; set; }

    /// <summary>
    /// The most bytes a log's files may take together, the file written included; the oldest rolled files are deleted
    /// at the next roll (or start) until they fit. None when unset.
    /// </summary>
    public long? RetainedTotalBytes { get; set; }

    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(Naming), ConfigurationShape.Value(ValueForm.Enum<LogFileNaming>())),
        (nameof(Compression), ConfigurationShape.Value(ValueForm.Enum<LogFileCompression>())),
        (nameof(RetainedAge), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(RetainedTotalBytes), ConfigurationShape.Value(ValueForm.Bytes)));
}
