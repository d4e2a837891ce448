using System.CommandLine;
using SocketDaemon.Cli.Commands;

namespace SocketDaemon.Cli;

/// <summary>The <c>socketctl</c> command tree.</summary>
public static class SocketCtl
{
    /// <summary>Exit code of a command that could not reach the daemon or whose connection failed.</summary>
    public const int ConnectionFailed = 1;

    /// <summary>Creates the root command; <paramref name="standardInput"/> feeds <c>send</c> when it has no message arguments.</summary>
    public static RootCommand CreateRootCommand(TextReader standardInput)
    {
        ArgumentNullException.ThrowIfNull(standardInput);
        return new RootCommand("socketctl: talk to SocketDaemon (or any server reading seed or line frames).")
        {
            SendCommand.Create(standardInput),
        };
    }
}
