namespace SocketDaemon.Proxy;

/// <summary>The bytes at the start of a connection are not a valid PROXY protocol header; the message says why.</summary>
public sealed class ProxyHeaderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProxyHeaderException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ProxyHeaderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ProxyHeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
