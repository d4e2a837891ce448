namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>How the files of a message log are named.</summary>
public enum LogFileNaming
{
    /// <summary>
    /// Every file carries its day, as Serilog's file sink names them: <c>messages20261203.log</c>, then
    /// <c>messages20261203_001.log</c>, ... when one reaches the size limit.
    /// </summary>
    Dated,

    /// <summary>
    /// The file written is always <c>messages.log</c>, so <c>tail -F</c> and log shippers follow it; at a roll it is
    /// renamed <c>messages-20261203.log</c> (<c>messages-20261203_001.log</c>, ... for a second one the same day).
    /// </summary>
    Stable,
}
