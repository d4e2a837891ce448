using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocketDaemon.Hosting;
using SocketDaemon.Listeners;

var configOption = new Option<FileInfo?>("--config", "-c")
{
    Description = "A JSON configuration file, read after appsettings.json.",
};
var listenOption = new Option<string[]>("--listen", "-l")
{
    Description = "Listen on ENDPOINT (unix:/path, unix:@name, tcp://host:port) instead of the configured listeners. Repeatable.",
    HelpName = "ENDPOINT",
    Arity = ArgumentArity.ZeroOrMore,
};
var logDirOption = new Option<DirectoryInfo?>("--log-dir")
{
    Description = "Where the message log (messages*.log) and the operational log go. Default: $LOGS_DIRECTORY or ./logs.",
    HelpName = "DIR",
};

var root = new RootCommand(
    "socketdaemon: receives messages on Unix and TCP sockets (seed or line framing) and writes them to a rolling log.\n"
    + "Any other --Section:Key=value argument sets a configuration key.")
{
    configOption,
    listenOption,
    logDirOption,
};
root.TreatUnmatchedTokensAsErrors = false;
root.SetAction(async (parse, cancellationToken) =>
{
    var commandLine = new DaemonCommandLine(
        parse.GetValue(configOption)?.FullName,
        parse.GetValue(listenOption) ?? [],
        parse.GetValue(logDirOption)?.FullName,
        parse.UnmatchedTokens);
    return await RunAsync(commandLine);
});

// The host handles SIGTERM and Ctrl+C itself: that is what makes a stop graceful.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static async Task<int> RunAsync(DaemonCommandLine commandLine)
{
    const int ConfigurationError = 78; // EX_CONFIG, sysexits(3): systemd's RestartPreventExitStatus can name it.
    try
    {
        using var host = SocketDaemonHost.CreateBuilder(commandLine).Build();

        // Read the options before anything starts, so a bad value is one line and not a stack trace.
        _ = host.Services.GetRequiredService<IOptions<SocketDaemonOptions>>().Value;
        await host.RunAsync();
        return 0;
    }
    catch (OptionsValidationException ex)
    {
        foreach (var failure in ex.Failures)
        {
            await Console.Error.WriteLineAsync($"socketdaemon: invalid configuration: {failure}");
        }

        return ConfigurationError;
    }
    catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FileNotFoundException or FormatException
                                  && ex.StackTrace?.Contains("Microsoft.Extensions.Configuration", StringComparison.Ordinal) == true)
    {
        await Console.Error.WriteLineAsync($"socketdaemon: invalid configuration: {ex.Message}");
        return ConfigurationError;
    }
    catch (ListenerBindException ex)
    {
        await Console.Error.WriteLineAsync($"socketdaemon: cannot start: {ex.Message}");
        return 1;
    }
}
