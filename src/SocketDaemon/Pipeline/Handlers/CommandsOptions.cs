using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline.Handlers;

/// <summary>The <c>Commands</c> section: messages that steer the daemon.</summary>
public sealed class CommandsOptions
{
    /// <summary>The message that stops the daemon, as <c>quit</c> stops the classic <c>sock-server.c</c>.</summary>
    public QuitCommandOptions Quit { get; set; } = new();

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object((nameof(Quit), QuitCommandOptions.Shape()));
}
