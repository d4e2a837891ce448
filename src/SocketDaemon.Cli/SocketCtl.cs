using System.CommandLine;
using SocketDaemon.Cli.Commands;

namespace SocketDaemon.Cli;

/// <summary>The <c>socketctl</c> command tree.</summary>
public static class SocketCtl
{
    /// <summary>Exit code of a command that could not reach the daemon, or that the daemon refused.</summary>
    public const int Failed = 1;

    /// <summary>Creates the root command; <paramref name="standardInput"/> feeds <c>send</c> when it has no message arguments.</summary>
    public static RootCommand CreateRootCommand(TextReader standardInput)
    {
        ArgumentNullException.ThrowIfNull(standardInput);
        return new RootCommand(
            "socketctl: talk to SocketDaemon (or, with seed, lines or octet framing, to any server reading those frames).\n"
            + "Shell completion: install dotnet-suggest and register socketctl with it.")
        {
            SendCommand.Create(standardInput),
            StatusCommand.Create(),
            QuitCommand.Create(),
            TailCommand.Create(),
        };
    }
}
