namespace SocketDaemon.Client.Spooling;

/// <summary>
/// The spool holds <see cref="DiskSpoolOptions.MaxBytes"/> already: the record was not written. The spool never
/// drops what it holds to make room; the caller refuses the message (the daemon answers <c>Busy</c>) or retries.
/// </summary>
public sealed class SpoolFullException : IOException
{
    /// <summary>Creates the exception.</summary>
    public SpoolFullException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SpoolFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public SpoolFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
