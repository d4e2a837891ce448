using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// A <c>Log</c> step whose <c>Path</c> names message properties (<c>apps/{AppName}.log</c>): renders each message's path,
/// finds its file among <see cref="DynamicLogFiles"/> (the connection's last file by comparing the path, else by a
/// lookup on the rendered characters), and writes the line as <see cref="LogHandler"/> or <see cref="JsonLogHandler"/>
/// would into that file's pooled chunk. A connection whose messages change file hands its lines over at each change.
/// </summary>
public sealed class DynamicLogHandler
{
    private readonly DynamicLogFiles _files;
    private readonly bool _json;

    /// <summary>Creates the handler over <paramref name="files"/>, writing JSON lines when <paramref name="json"/>.</summary>
    public DynamicLogHandler(DynamicLogFiles files, bool json)
    {
        ArgumentNullException.ThrowIfNull(files);
        _files = files;
        _json = json;
    }

    /// <summary>Writes the message to its file.</summary>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = MessageLogState.Of(context);
        var slot = DynamicLogState.Of(context).SlotFor(_files);
        slot.Render(context);
        if (!slot.TrySelect())
        {
            return SelectFirstAsync(context, state, slot);
        }

        var staged = slot.Staged!;
        var length = MaxLength(context, state);
        if (!staged.HasRoom(length))
        {
            return HandOverFirstAsync(context, state, slot, length);
        }

        staged.Advance(Format(context, state, staged.GetSpan(length)));
        return context.BatchWrites ? ValueTask.CompletedTask : slot.FlushAsync();
    }

    private int MaxLength(MessageContext context, MessageLogState state) =>
        _json ? MessageJsonFormatter.MaxLength(context, state) : MessageLineFormatter.MaxLength(context, state);

    private int Format(MessageContext context, MessageLogState state, Span<byte> destination) =>
        _json ? MessageJsonFormatter.Format(context, state, destination) : MessageLineFormatter.Format(context, state, destination);

    private async ValueTask SelectFirstAsync(MessageContext context, MessageLogState state, DynamicLogSlot slot)
    {
        await slot.SelectAsync();
        var length = MaxLength(context, state);
        await WriteAsync(context, state, slot, length);
    }

    private async ValueTask HandOverFirstAsync(MessageContext context, MessageLogState state, DynamicLogSlot slot, int length)
    {
        // The chunk holds the lines of earlier messages for this file: they go first, and the file stays selected.
        await slot.Staged!.HandOverAsync();
        await WriteAsync(context, state, slot, length);
    }

    private async ValueTask WriteAsync(MessageContext context, MessageLogState state, DynamicLogSlot slot, int length)
    {
        var staged = slot.Staged!;
        if (!staged.HasRoom(length))
        {
            await staged.HandOverAsync();
        }

        staged.Advance(Format(context, state, staged.GetSpan(length)));
        if (!context.BatchWrites)
        {
            await slot.FlushAsync();
        }
    }
}
