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

    /// <summary>Writes the message.</summary>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = MessageLogState.Of(context);
        var staged = state.GetStaged(_writer);
        var length = MessageJsonFormatter.MaxLength(context, state);
        if (!staged.HasRoom(length))
        {
            return HandOverFirstAsync(context, state, staged, length);
        }

        staged.Advance(MessageJsonFormatter.Format(context, state, staged.GetSpan(length)));
        return context.BatchWrites ? ValueTask.CompletedTask : staged.HandOverAsync();
    }

    private static async ValueTask HandOverFirstAsync(MessageContext context, MessageLogState state, StagedLogChunk staged, int length)
    {
        // The chunk holds the lines of the messages before this one, which are done: their claim goes with it.
        await staged.HandOverAsync(state.Claim(context));
        staged.Advance(MessageJsonFormatter.Format(context, state, staged.GetSpan(length)));
        if (!context.BatchWrites)
        {
            await staged.HandOverAsync();
        }
    }
}
