using SocketDaemon.Client;

namespace SocketDaemon.Extensions.Logging;

/// <summary>Options of the SocketDaemon logger provider; they bind from the <c>Logging:SocketDaemon</c> section.</summary>
public sealed class SocketDaemonLoggerOptions
{
    /// <summary>Where the daemon listens: <c>unix:/path</c>, <c>tcp://host:port</c> or <c>tls://host:port</c>.</summary>
    /// <remarks>Defaults to <see cref="SocketDaemonDefaults.ClientEndpoint"/> (<c>SOCKETDAEMON_ENDPOINT</c>, else the daemon's socket).</remarks>
    public string Endpoint { get; set; } = SocketDaemonDefaults.ClientEndpoint;

    /// <summary>
    /// A directory where entries go first, on disk, before the daemon acknowledges them: with it nothing is lost while the
    /// daemon is away or restarts, and what is left when the application stops is sent by its next start.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: entries wait in memory only (see <see cref="QueueLimit"/>).</remarks>
    public string? Spool { get; set; }

    /// <summary>The most the <see cref="Spool"/> may hold on disk.</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long SpoolMaxBytes { get; set; } = 1L << 30;

    /// <summary>How many entries may wait in memory for the background sender; past it, <see cref="QueueFullMode"/> applies.</summary>
    /// <remarks>Defaults to 100,000.</remarks>
    public int QueueLimit { get; set; } = 100_000;

    /// <summary>Which entry is dropped when the queue is full; logging never blocks the caller.</summary>
    /// <remarks>Defaults to <see cref="SocketDaemonQueueFullMode.DropOldest"/>.</remarks>
    public SocketDaemonQueueFullMode QueueFullMode { get; set; } = SocketDaemonQueueFullMode.DropOldest;

    /// <summary>How many entries a batch holds at most.</summary>
    /// <remarks>Defaults to 1024.</remarks>
    public int BatchMessages { get; set; } = 1024;

    /// <summary>How long disposing the provider (host shutdown) may take to send what is queued.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the entry's scopes travel as the <c>scope</c> field (and their named values as fields).</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool IncludeScopes { get; set; } = true;

    /// <summary>The syslog facility of the entries (RFC 5424: 1 is user-level, 16 to 23 are local0 to local7).</summary>
    /// <remarks>Defaults to 1.</remarks>
    public int Facility { get; set; } = 1;

    /// <summary>The APP-NAME of the entries.</summary>
    /// <remarks>Defaults to the entry assembly's name.</remarks>
    public string? AppName { get; set; }

    /// <summary>The HOSTNAME of the entries.</summary>
    /// <remarks>Defaults to <see cref="Environment.MachineName"/>.</remarks>
    public string? HostName { get; set; }
}
