namespace SocketDaemon.Cli;

/// <summary>socketctl's exit codes, distinct per cause in the spirit of systemctl's (docs/socketctl.md lists them).</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>A failure without a more precise code; for <c>health</c>, the daemon answered and is unhealthy.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: unknown command or option, bad value, a message that cannot be framed.</summary>
    public const int Usage = 2;

    /// <summary>The daemon is not running or not reachable: no socket, connection refused, timed out, not a socket.</summary>
    public const int NotRunning = 3;

    /// <summary>Permission denied: the socket, or the daemon refused this user (quit without the right uid).</summary>
    public const int PermissionDenied = 4;

    /// <summary>TLS failed: the daemon's certificate is not trusted or does not carry the name.</summary>
    public const int TlsFailed = 5;

    /// <summary>The daemon answered, but refused the request or broke the protocol (busy, bad reply).</summary>
    public const int Refused = 6;
}
