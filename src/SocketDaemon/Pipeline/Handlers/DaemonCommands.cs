using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// The commands a peer can give the daemon, and who may give them: one place for the quit message of the
/// <c>Commands</c> handler and the quit request of the native protocol.
/// </summary>
public sealed partial class DaemonCommands
{
    private readonly QuitCommandOptions _quit;
    private readonly HashSet<uint> _allowedUids;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly IListenerCommands? _listeners;

    /// <summary>Creates the commands from <c>SocketDaemon:Commands</c>.</summary>
    public DaemonCommands(IOptions<CommandsOptions> options, IHostApplicationLifetime lifetime, ILogger<DaemonCommands> logger, IListenerCommands? listeners = null)
    {
        _listeners = listeners;
        ArgumentNullException.ThrowIfNull(options);
        _quit = options.Value.Quit;
        _allowedUids = [.. CommandsMiddleware.GetAllowedUids(_quit)];
        QuitMessage = Encoding.UTF8.GetBytes(_quit.Message);
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The quit message's bytes; empty when the command is disabled.</summary>
    public ReadOnlyMemory<byte> QuitMessage { get; }

    /// <summary>Whether the quit message is recognised at all.</summary>
    public bool QuitEnabled => _quit.Enabled;

    /// <summary>Whether the daemon is already stopping.</summary>
    public bool IsStopping => _lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>
    /// Whether <paramref name="peer"/> may stop the daemon: a local peer by its uid (<c>SO_PEERCRED</c>),
    /// a remote one only when <c>AllowTcp</c> is set.
    /// </summary>
    public bool MayQuit(PeerInfo peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return _quit.Enabled && (peer.UserId is { } uid ? _allowedUids.Contains(uid) : _quit.AllowTcp && peer.RemoteEndPoint is not null);
    }

    /// <summary>Whether <paramref name="peer"/> may stop the daemon through <paramref name="listener"/>, which may forbid it (<c>AllowQuit</c>).</summary>
    public bool MayQuit(string listener, PeerInfo peer) => _listeners?.AllowsQuit(listener) != false && MayQuit(peer);

    /// <summary>Stops the daemon gracefully if <paramref name="peer"/> may; says which in the operational log.</summary>
    public bool TryQuit(string listener, PeerInfo peer)
    {
        if (!MayQuit(listener, peer))
        {
            QuitRefused(_logger, listener, peer);
            return false;
        }

        QuitAccepted(_logger, listener, peer);
        _lifetime.StopApplication();
        return true;
    }

    [LoggerMessage(EventIds.QuitAccepted, LogLevel.Information, "Quit received on {Listener} from {Peer}; stopping")]
    private static partial void QuitAccepted(ILogger logger, string listener, PeerInfo peer);

    [LoggerMessage(EventIds.QuitRefused, LogLevel.Warning, "Quit received on {Listener} from {Peer}, who may not stop the daemon")]
    private static partial void QuitRefused(ILogger logger, string listener, PeerInfo peer);
}
