namespace SocketDaemon.Client.Protocol;

/// <summary>Bytes that break the native protocol; the connection cannot go on.</summary>
public sealed class NativeProtocolException : IOException
{
    /// <summary>Creates the exception.</summary>
    public NativeProtocolException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NativeProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NativeProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
