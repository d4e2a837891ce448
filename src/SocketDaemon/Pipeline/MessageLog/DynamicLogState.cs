namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// What templated <c>Log</c> steps keep per connection (a feature of its <see cref="MessageContext"/>): a
/// <see cref="DynamicLogSlot"/> per step, whose staged lines go to their files when the batch ends.
/// </summary>
internal sealed class DynamicLogState : IMessageBatchFeature
{
    private DynamicLogSlot[] _slots = [];

    /// <summary>The state of <paramref name="context"/>'s connection, made on its first message.</summary>
    public static DynamicLogState Of(MessageContext context)
    {
        if (context.Features.Get<DynamicLogState>() is { } state)
        {
            return state;
        }

        state = new DynamicLogState();
        context.Features.Set(state);
        return state;
    }

    /// <summary>This connection's slot for the step writing <paramref name="files"/>.</summary>
    public DynamicLogSlot SlotFor(DynamicLogFiles files)
    {
        foreach (var slot in _slots)
        {
            if (slot.Files == files)
            {
                return slot;
            }
        }

        var added = new DynamicLogSlot(files);
        _slots = [.. _slots, added];
        return added;
    }

    /// <summary>Hands the staged lines to their files' writers and unpins the files.</summary>
    public async ValueTask FlushAsync(MessageContext context)
    {
        foreach (var slot in _slots)
        {
            await slot.FlushAsync();
        }
    }
}
