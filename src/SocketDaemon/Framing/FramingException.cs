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

    /// <summary>
    /// Creates an <see cref="FramingError.Oversize"/> error for a frame whose extent is known: its header takes
    /// <paramref name="headerBytes"/> and the whole frame <paramref name="frameBytes"/>, so it can be skipped or cut.
    /// </summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="frameBytes">The frame's bytes with its header; <see cref="ThroughNewline"/> for a line whose end has not come;
    /// <see cref="HeaderIncomplete"/> when the header that tells the length has not all come yet.</param>
    /// <param name="headerBytes">The bytes before the message.</param>
    internal FramingException(string message, long frameBytes, int headerBytes)
        : base(message)
    {
        Error = FramingError.Oversize;
        FrameBytes = frameBytes;
        HeaderBytes = headerBytes;
    }

    /// <summary>A <see cref="FrameBytes"/> for a line: the frame goes on through the next newline.</summary>
    internal const long ThroughNewline = -1;

    /// <summary>A <see cref="FrameBytes"/> for a length prefix still arriving: too long already, not known yet.</summary>
    internal const long HeaderIncomplete = -2;

    /// <summary>For an oversize frame, its extent (see the constructor); 0 when it cannot be skipped.</summary>
    internal long FrameBytes { get; }

    /// <summary>For an oversize frame, the bytes of its header.</summary>
    internal int HeaderBytes { get; }

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
