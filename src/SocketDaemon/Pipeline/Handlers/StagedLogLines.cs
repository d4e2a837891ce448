using System.Runtime.CompilerServices;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// What <see cref="LogHandler"/> and <see cref="JsonLogHandler"/> do per message: format its line straight into the
/// connection's pooled chunk (<see cref="StagedLogChunk"/>), which goes to the file's <see cref="MessageLogWriter"/>
/// when the connection has read all it had, or at once unless <see cref="MessageContext.BatchWrites"/>. No string, no
/// allocation and no lock per message.
/// </summary>
internal static class StagedLogLines
{
    /// <summary>Writes the line of <paramref name="context"/> in <typeparamref name="TFormat"/> for <paramref name="writer"/>.</summary>
    /// <remarks>Inlined into each handler's <c>InvokeAsync</c>: a handler costs the one call it always did.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask WriteAsync<TFormat>(MessageLogWriter writer, MessageContext context)
        where TFormat : struct, ILogLineFormat
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = MessageLogState.Of(context);
        var staged = state.GetStaged(writer);
        var length = TFormat.MaxLength(context, state);
        if (!staged.HasRoom(length))
        {
            return HandOverFirstAsync<TFormat>(context, state, staged, length);
        }

        staged.Advance(TFormat.Format(context, state, staged.GetSpan(length)));
        return context.BatchWrites ? ValueTask.CompletedTask : staged.HandOverAsync();
    }

    private static async ValueTask HandOverFirstAsync<TFormat>(MessageContext context, MessageLogState state, StagedLogChunk staged, int length)
        where TFormat : struct, ILogLineFormat
    {
        // The chunk holds the lines of the messages before this one, which are done: their claim goes with it.
        await staged.HandOverAsync(state.Claim(context));
        staged.Advance(TFormat.Format(context, state, staged.GetSpan(length)));
        if (!context.BatchWrites)
        {
            await staged.HandOverAsync();
        }
    }
}
