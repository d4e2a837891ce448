using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// A <c>Log</c> step with <c>Format: json</c>: each message as one JSON object per line
/// (<see cref="MessageJsonFormatter"/>, <c>docs/json-format.md</c>), through the same pooled chunks and writer as
/// <see cref="LogHandler"/>'s text lines. No string, no allocation and no lock per message.
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

    /// <summary>Whether a <c>Log</c> step's <c>Format</c> asks for JSON lines (<c>json</c>) rather than text (<c>text</c>, the default).</summary>
    /// <exception cref="ArgumentException">The value is neither; the message names the key.</exception>
    public static bool IsJson(string? format) =>
        format is null || string.Equals(format, "text", StringComparison.OrdinalIgnoreCase) ? false
        : string.Equals(format, "json", StringComparison.OrdinalIgnoreCase) ? true
        : throw new ArgumentException($"Format: '{format}' is not one of text, json");

    /// <summary>Writes the message.</summary>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var staged = context.GetStaged(_writer);
        var length = MessageJsonFormatter.MaxLength(context);
        if (!staged.HasRoom(length))
        {
            return HandOverFirstAsync(context, staged, length);
        }

        staged.Advance(MessageJsonFormatter.Format(context, staged.GetSpan(length)));
        return context.BatchWrites ? ValueTask.CompletedTask : staged.HandOverAsync();
    }

    private static async ValueTask HandOverFirstAsync(MessageContext context, StagedLogChunk staged, int length)
    {
        // The chunk holds the lines of the messages before this one, which are done: their claim goes with it.
        await staged.HandOverAsync(context.Claim());
        staged.Advance(MessageJsonFormatter.Format(context, staged.GetSpan(length)));
        if (!context.BatchWrites)
        {
            await staged.HandOverAsync();
        }
    }
}
