namespace SocketDaemon.Framing;

/// <summary>Bytes on a connection break its framing; the connection cannot go on.</summary>
public sealed class FramingException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/>, explained by <paramref name="message"/>.</summary>
    public FramingException(FramingError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception.</summary>
    public FramingException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public FramingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public FramingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What was wrong.</summary>
    public FramingError Error { get; }
}
