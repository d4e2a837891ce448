namespace SocketDaemon.Pipeline.Handlers;

/// <summary>What a <c>Log</c> step writes for each message.</summary>
public enum LogFormat
{
    /// <summary>One escaped text line: time, listener, peer, connection and the message.</summary>
    Text,

    /// <summary>One JSON object per line, with the keys of <c>docs/json-format.md</c>.</summary>
    Json,
}
