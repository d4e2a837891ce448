using System.CommandLine;
using SocketDaemon.Client;

namespace SocketDaemon.Cli.Commands;

/// <summary>Options every command that connects shares.</summary>
internal static class CommonOptions
{
    public static Option<string> Endpoint() => new("--endpoint", "-e")
    {
        Description = $"Where to connect: unix:/path, unix:@name or tcp://host:port. Default: ${SocketDaemonDefaults.EndpointVariable}, else the daemon's built-in socket.",
        HelpName = "ENDPOINT",
        DefaultValueFactory = _ => SocketDaemonDefaults.ClientEndpoint,
    };
}
