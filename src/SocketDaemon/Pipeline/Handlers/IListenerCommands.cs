namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Which commands a listener takes, as its configuration says; the listeners above the pipeline implement it.</summary>
public interface IListenerCommands
{
    /// <summary>Whether peers of <paramref name="listener"/> may quit the daemon; true for a listener not bound.</summary>
    bool AllowsQuit(string listener);
}
