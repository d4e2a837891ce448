namespace SocketDaemon.Client;

/// <summary>The client could not connect to the daemon; the message names the endpoint and the reason.</summary>
public sealed class SocketDaemonConnectException : IOException
{
    /// <summary>Creates the exception.</summary>
    public SocketDaemonConnectException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SocketDaemonConnectException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public SocketDaemonConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
