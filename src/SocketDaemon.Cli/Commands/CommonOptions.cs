using System.CommandLine;
using SocketDaemon.Client;

namespace SocketDaemon.Cli.Commands;

/// <summary>What every command that connects shares.</summary>
internal static class CommonOptions
{
    public static Option<string> Endpoint() => new("--endpoint", "-e")
    {
        Description = $"Where to connect: unix:/path, unix:@name, tcp://host:port or tls://host:port. Default: ${SocketDaemonDefaults.EndpointVariable}, else the daemon's built-in socket.",
        HelpName = "ENDPOINT",
        DefaultValueFactory = _ => SocketDaemonDefaults.ClientEndpoint,

        // The token as it is: System.CommandLine's conversion would look up the option's value type (typeof(string)
        // at run time), which in Native AOT starts the type loader, a fraction of a millisecond of every start.
        CustomParser = result => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty,
    };

    /// <summary>Runs <paramref name="action"/>, turning every expected failure into one line on standard error and exit code 1.</summary>
    /// <remarks>Standard error is looked up only for a failure: setting up <see cref="Console.Error"/> is a cost every start would pay.</remarks>
    public static async Task<int> RunAsync(ParseResult parse, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is IOException or FormatException or ArgumentException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"socketctl: {ex.Message}");
            return SocketCtl.Failed;
        }
    }
}
