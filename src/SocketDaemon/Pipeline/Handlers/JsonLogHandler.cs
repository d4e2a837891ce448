using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// A <c>Log</c> step with <c>Format: json</c>: each message as one JSON object per line
/// (<see cref="MessageJsonFormatter"/>, <c>docs/json-format.md</c>), through the same pooled chunks and writer as
/// <see cref="LogHandler"/>'s text lines (<see cref="StagedLogLines"/>). No string, no allocation and no lock per message.
/// </summary>
public sealed class JsonLogHandler
{
    private readonly MessageLogWriter _writer;

    /// <summary>Creates the handler over <paramref name="writer"/>.</summary>
    public JsonLogHandler(MessageLogWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <summary>Writes the message.</summary>
    public ValueTask InvokeAsync(MessageContext context) => StagedLogLines.WriteAsync<JsonLineFormat>(_writer, context);
}
