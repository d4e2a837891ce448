using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>The escaped text line of <see cref="LogHandler"/> (<see cref="MessageLineFormatter"/>).</summary>
internal readonly struct TextLineFormat : ILogLineFormat
{
    public static int MaxLength(MessageContext context, MessageLogState state) => MessageLineFormatter.MaxLength(context, state);

    public static int Format(MessageContext context, MessageLogState state, Span<byte> destination) =>
        MessageLineFormatter.Format(context, state, destination);
}
