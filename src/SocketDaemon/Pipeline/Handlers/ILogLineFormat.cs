using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// How a <c>Log</c> step formats a message into its line: <see cref="TextLineFormat"/> or <see cref="JsonLineFormat"/>.
/// Static members on a struct, so that <see cref="StagedLogLines.WriteAsync{TFormat}"/> is compiled once per format with
/// direct calls: no virtual call and no branch on the format per message.
/// </summary>
internal interface ILogLineFormat
{
    /// <summary>The most bytes the line of <paramref name="context"/> takes.</summary>
    static abstract int MaxLength(MessageContext context, MessageLogState state);

    /// <summary>Writes the line of <paramref name="context"/> into <paramref name="destination"/>; returns its length.</summary>
    static abstract int Format(MessageContext context, MessageLogState state, Span<byte> destination);
}
