namespace SocketDaemon.Pipeline.Handlers;

/// <summary>How an <c>Exec</c> step uses its child's answers.</summary>
public enum ExecMode
{
    /// <summary>The child's reply replaces the message, which goes on.</summary>
    Transform,

    /// <summary>The child takes the message; the pipeline ends there.</summary>
    Consume,
}
