using System.CommandLine;
using System.Net.Sockets;
using SocketDaemon.Cli.Internal;
using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;

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

    /// <summary>
    /// Runs <paramref name="action"/>, turning every expected failure into one line on standard error and the exit
    /// code of its cause (<see cref="ExitCodes"/>).
    /// </summary>
    /// <remarks>Standard error is looked up only for a failure: setting up <see cref="Console.Error"/> is a cost every start would pay.</remarks>
    public static async Task<int> RunAsync(ParseResult parse, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is IOException or FormatException or ArgumentException or TimeoutException or InvalidOperationException or SocketException or UnauthorizedAccessException)
        {
            var (code, message) = Describe(ex, EndpointPath(parse));
            await parse.InvocationConfiguration.Error.WriteLineAsync($"socketctl: {message}");
            return code;
        }
    }

    /// <summary>The exit code and the one line for <paramref name="ex"/>, naming the cause.</summary>
    internal static (int Code, string Message) Describe(Exception ex, string? endpointPath = null) => ex switch
    {
        SocketDaemonConnectException { InnerException: SocketException { SocketErrorCode: SocketError.AccessDenied } } => (ExitCodes.PermissionDenied, ex.Message),
        SocketDaemonConnectException { InnerException: System.Security.Authentication.AuthenticationException } => (ExitCodes.TlsFailed, ex.Message),
        SocketDaemonConnectException { InnerException: SocketException } when endpointPath is not null && EndpointFile.Describe(endpointPath) is { } kind and not "socket"
            => (ExitCodes.NotRunning, $"{Before(ex.Message, ": ")}: {endpointPath} is not a socket but a {kind}; is the endpoint right?"),
        SocketDaemonConnectException => (ExitCodes.NotRunning, ex.Message),
        SocketDaemonException { Code: NativeErrorCode.Forbidden } => (ExitCodes.PermissionDenied, ex.Message),
        SocketDaemonException or NativeProtocolException => (ExitCodes.Refused, ex.Message),
        UnauthorizedAccessException => (ExitCodes.PermissionDenied, ex.Message),
        FormatException or ArgumentException => (ExitCodes.Usage, ex.Message),
        _ => (ExitCodes.Failed, ex.Message),
    };

    // A refused connect to a path that exists but is no socket: what connect(2) says (ECONNREFUSED) is misleading.
    private static string? EndpointPath(ParseResult parse)
    {
        try
        {
            return parse.GetValue<string>("--endpoint") is { } text ? SocketEndpoint.Parse(text).Path : null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Before(string text, string separator)
    {
        var at = text.LastIndexOf(separator, StringComparison.Ordinal);
        return at < 0 ? text : text[..at];
    }
}
