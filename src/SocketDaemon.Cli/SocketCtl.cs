using System.CommandLine;
using SocketDaemon.Cli.Commands;
using SocketDaemon.Cli.Internal;

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
        return CreateRootCommand(() => standardInput);
    }

    /// <summary>Creates the root command; <paramref name="standardInput"/> is asked for the reader only by a <c>send</c> without message arguments.</summary>
    /// <remarks>Lazy because <see cref="Console.In"/> costs about a millisecond to set up, a tenth of a one-message send.</remarks>
    public static RootCommand CreateRootCommand(Func<TextReader> standardInput)
    {
        ArgumentNullException.ThrowIfNull(standardInput);
        CommandLineResources.Install();
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
