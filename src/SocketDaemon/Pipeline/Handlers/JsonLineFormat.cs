using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>The JSON object per line of <see cref="JsonLogHandler"/> (<see cref="MessageJsonFormatter"/>).</summary>
internal readonly struct JsonLineFormat : ILogLineFormat
{
    public static int MaxLength(MessageContext context, MessageLogState state) => MessageJsonFormatter.MaxLength(context, state);

    public static int Format(MessageContext context, MessageLogState state, Span<byte> destination) =>
        MessageJsonFormatter.Format(context, state, destination);
}
