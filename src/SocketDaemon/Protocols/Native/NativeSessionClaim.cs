using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Protocols.Native;

/// <summary>A chunk of a session's lines that, once in the file, proves the session logged everything up to its position.</summary>
internal sealed class NativeSessionClaim(NativeSessions journal, NativeSession session, ulong position) : LogClaim(journal, position)
{
    /// <summary>The session the claim moves.</summary>
    public NativeSession Session { get; } = session;
}
