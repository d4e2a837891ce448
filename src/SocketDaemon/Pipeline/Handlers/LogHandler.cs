using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// The end of the pipeline: formats each message as one escaped line of UTF-8 (<see cref="MessageLineFormatter"/>)
/// into its connection's pooled chunk, which goes to the file's <see cref="MessageLogWriter"/> when the connection
/// has read all it had (or at once, unless <see cref="MessageContext.BatchWrites"/>): see <see cref="StagedLogLines"/>.
/// No string, no allocation and no lock per message.
/// </summary>
public sealed class LogHandler
{
    /// <summary>The line every message becomes unless a step sets its own template.</summary>
    public const string DefaultOutputTemplate = "{Timestamp:yyyy-MM-ddTHH:mm:ss.ffffffzzz} {Listener} [{Peer}] #{ConnectionId}: {Text:l}{NewLine}";

    private readonly MessageLogWriter _writer;

    /// <summary>What follows the text of a message cut by <c>Oversize: truncate</c> in its log line.</summary>
    public const string TruncatedSuffix = " [truncated]";

    /// <summary>Creates the handler over <paramref name="writer"/>.</summary>
    public LogHandler(MessageLogWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <summary>Writes the message.</summary>
    public ValueTask InvokeAsync(MessageContext context) => StagedLogLines.WriteAsync<TextLineFormat>(_writer, context);
}
