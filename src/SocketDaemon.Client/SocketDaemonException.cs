using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Client;

/// <summary>The daemon refused a message or a request; <see cref="Code"/> says why.</summary>
public sealed class SocketDaemonException : IOException
{
    /// <summary>Creates the exception for <paramref name="code"/>.</summary>
    public SocketDaemonException(NativeErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates the exception.</summary>
    public SocketDaemonException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SocketDaemonException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public SocketDaemonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the daemon refused.</summary>
    public NativeErrorCode Code { get; }

    /// <summary>For a batch, the refused messages: their index in what was sent, and why.</summary>
    public IReadOnlyList<(long Index, NativeErrorCode Code)> Refused { get; init; } = [];
}
