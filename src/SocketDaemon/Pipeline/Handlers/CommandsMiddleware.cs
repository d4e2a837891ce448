using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SocketDaemon.Hosting;
using SocketDaemon.Internal;
using SocketDaemon.Listeners;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// Recognises messages that are commands to the daemon. The quit message from an allowed peer stops the daemon
/// gracefully, as <c>quit</c> stops the classic <c>sock-server.c</c>; from anyone else it is an ordinary message.
/// </summary>
public sealed partial class CommandsMiddleware
{
    private readonly MessageDelegate _next;
    private readonly byte[] _quit;
    private readonly bool _enabled;
    private readonly bool _allowTcp;
    private readonly HashSet<uint> _allowedUids;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;

    /// <summary>Creates the middleware in front of <paramref name="next"/>.</summary>
    public CommandsMiddleware(MessageDelegate next, QuitCommandOptions quit, IHostApplicationLifetime lifetime, ILogger<CommandsMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(quit);
        _next = next;
        _quit = Encoding.UTF8.GetBytes(quit.Message);
        _enabled = quit.Enabled;
        _allowTcp = quit.AllowTcp;
        _allowedUids = [.. GetAllowedUids(quit)];
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The user ids <paramref name="quit"/> allows, with <c>self</c> resolved.</summary>
    public static IEnumerable<uint> GetAllowedUids(QuitCommandOptions quit)
    {
        ArgumentNullException.ThrowIfNull(quit);
        foreach (var entry in quit.AllowedUids ?? [QuitCommandOptions.SelfUid, "0"])
        {
            yield return string.Equals(entry, QuitCommandOptions.SelfUid, StringComparison.OrdinalIgnoreCase)
                ? Libc.GetEffectiveUserId()
                : uint.Parse(entry, NumberStyles.None, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Handles one message.</summary>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_enabled || !context.PayloadEquals(_quit))
        {
            return _next(context);
        }

        if (!IsAllowed(context.Peer))
        {
            QuitRefused(_logger, context.Listener, context.Peer);
            return _next(context);
        }

        QuitAccepted(_logger, context.Listener, context.Peer);
        _lifetime.StopApplication();
        return ValueTask.CompletedTask;
    }

    private bool IsAllowed(PeerInfo peer) => peer.UserId is { } uid ? _allowedUids.Contains(uid) : _allowTcp && peer.RemoteEndPoint is not null;

    [LoggerMessage(30, LogLevel.Information, "Quit received on {Listener} from {Peer}; stopping")]
    private static partial void QuitAccepted(ILogger logger, string listener, PeerInfo peer);

    [LoggerMessage(31, LogLevel.Warning, "Quit received on {Listener} from {Peer}, who may not stop the daemon; logged as a message")]
    private static partial void QuitRefused(ILogger logger, string listener, PeerInfo peer);
}
