using System.Globalization;
using SocketDaemon.Internal;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// Recognises messages that are commands to the daemon. The quit message from an allowed peer stops the daemon
/// gracefully, as <c>quit</c> stops the classic <c>sock-server.c</c>; from anyone else it is an ordinary message.
/// </summary>
public sealed class CommandsMiddleware
{
    private readonly MessageDelegate _next;
    private readonly DaemonCommands _commands;

    /// <summary>Creates the middleware in front of <paramref name="next"/>.</summary>
    public CommandsMiddleware(MessageDelegate next, DaemonCommands commands)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(commands);
        _next = next;
        _commands = commands;
    }

    /// <summary>The user ids <paramref name="quit"/> allows, with <c>self</c> resolved.</summary>
    public static IEnumerable<uint> GetAllowedUids(QuitCommandOptions quit)
    {
        ArgumentNullException.ThrowIfNull(quit);
        foreach (var entry in quit.AllowedUids ?? [QuitCommandOptions.SelfUid, "0"])
        {
            if (!string.Equals(entry, QuitCommandOptions.SelfUid, StringComparison.OrdinalIgnoreCase))
            {
                // A user id or name, as AllowUids takes them; checked by the validator.
                if (Libc.TryResolveId(entry, group: false, out var uid))
                {
                    yield return uid;
                }
            }
            else if (!OperatingSystem.IsWindows())
            {
                // Windows has no uids; there quit is for local peers only where credentials can be read, so nobody.
                yield return Libc.GetEffectiveUserId();
            }
        }
    }

    /// <summary>Handles one message.</summary>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_commands.QuitEnabled && context.PayloadEquals(_commands.QuitMessage.Span) && _commands.TryQuit(context.Listener, context.Peer))
        {
            return ValueTask.CompletedTask;
        }

        return _next(context);
    }
}
