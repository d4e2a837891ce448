using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocketDaemon.Hosting;
using SocketDaemon.Hosting.Configuration;
using SocketDaemon.Sinks;

var configOption = new Option<FileInfo?>("--config", "-c")
{
    Description = "A JSON configuration file, read after appsettings.json.",
    HelpName = "FILE",
};
var listenOption = new Option<string[]>("--listen", "-l")
{
    Description = "Listen on ENDPOINT instead of the configured listeners. Repeatable. ENDPOINT is unix:/path, "
        + "unix:@name (abstract), unixgram:/path, tcp://host:port, udp://host:port, nats://host:port "
        + "(with --SocketDaemon:Listeners:nats:Stream and :Consumer) or systemd:NAME (a socket systemd passed).",
    HelpName = "ENDPOINT",
    Arity = ArgumentArity.ZeroOrMore,
};
var logDirOption = new Option<DirectoryInfo?>("--log-dir")
{
    Description = "Where the message log (messages*.log) and the operational log go. Default: $LOGS_DIRECTORY or ./logs.",
    HelpName = "DIR",
};
var checkOption = new Option<bool>("--check")
{
    Description = "Check the configuration as start-up would (keys, values, certificates, directories, endpoints) without "
        + "listening, list every problem, and exit: 0 when it is valid, 78 when not.",
};

var root = new RootCommand(
    "socketdaemon: receives messages on Unix, TCP and UDP sockets (seed, line or octet framing, or the native protocol) "
    + "and writes them to a rolling log.\n"
    + "Any other --Section:Key=value argument sets a configuration key, such as --SocketDaemon:Limits:MaxMessageBytes=1024.\n"
    + "Exit codes: 0 after a graceful stop, 78 for a configuration error, 1 when it cannot start (an address in use).")
{
    configOption,
    listenOption,
    logDirOption,
    checkOption,
};
root.TreatUnmatchedTokensAsErrors = false;
root.SetAction(async (parse, cancellationToken) =>
{
    var commandLine = new DaemonCommandLine(
        parse.GetValue(configOption)?.FullName,
        parse.GetValue(listenOption) ?? [],
        parse.GetValue(logDirOption)?.FullName,
        parse.UnmatchedTokens,
        parse.GetValue(checkOption));
    return await RunAsync(commandLine);
});

// The host handles SIGTERM and Ctrl+C itself: that is what makes a stop graceful.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static async Task<int> RunAsync(DaemonCommandLine commandLine)
{
    var unknown = CommandLineKeys.Check(commandLine.ConfigurationArgs ?? []);
    if (unknown.Count > 0)
    {
        return await FailAsync(unknown.Select(u => $"invalid configuration: {u}").ToList(), StartupErrors.ConfigurationError);
    }

    try
    {
        using var host = SocketDaemonHost.CreateBuilder(commandLine).Build();

        // Read the options before anything starts, so a bad value is one line and not a stack trace.
        _ = host.Services.GetRequiredService<IOptions<SocketDaemonOptions>>().Value;
        if (commandLine.Check)
        {
            // Start-up opens the Serilog sections' sinks (the operational log's, and each Serilog step's); so does --check.
            var sinkProblems = SerilogSections.Check(host.Services.GetRequiredService<IConfiguration>());
            if (sinkProblems.Count > 0)
            {
                return await FailAsync([.. sinkProblems.Select(p => $"invalid configuration: {p}")], StartupErrors.ConfigurationError);
            }

            await Console.Out.WriteLineAsync("socketdaemon: the configuration is valid");
            return 0;
        }

        await host.RunAsync();
        return 0;
    }
    catch (Exception ex)
    {
        var (lines, exitCode) = StartupErrors.Describe(ex);
        return await FailAsync(lines, exitCode);
    }
}

static async Task<int> FailAsync(IReadOnlyList<string> lines, int exitCode)
{
    foreach (var line in lines)
    {
        await Console.Error.WriteLineAsync($"socketdaemon: {line}");
    }

    return exitCode;
}
