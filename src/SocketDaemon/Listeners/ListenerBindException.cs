namespace SocketDaemon.Listeners;

/// <summary>A listener could not be bound; the message names its configuration key and the reason.</summary>
public sealed class ListenerBindException : Exception
{
    /// <summary>Creates the exception for the listener named <paramref name="listener"/>.</summary>
    public ListenerBindException(string listener, string reason, Exception? innerException = null)
        : base($"SocketDaemon:Listeners:{listener}:Endpoint: {reason}", innerException)
    {
        Listener = listener;
    }

    /// <summary>Creates the exception for the key <paramref name="key"/> (<c>Owner</c>, <c>Group</c>, ...) of the listener named <paramref name="listener"/>.</summary>
    public ListenerBindException(string listener, string key, string reason, Exception? innerException)
        : base($"SocketDaemon:Listeners:{listener}:{key}: {reason}", innerException)
    {
        Listener = listener;
    }

    /// <summary>Creates the exception.</summary>
    public ListenerBindException()
    {
        Listener = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    public ListenerBindException(string message)
        : base(message)
    {
        Listener = string.Empty;
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ListenerBindException(string message, Exception innerException)
        : base(message, innerException)
    {
        Listener = string.Empty;
    }

    /// <summary>The name of the listener.</summary>
    public string Listener { get; }
}
