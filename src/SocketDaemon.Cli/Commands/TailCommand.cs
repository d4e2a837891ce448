using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SocketDaemon.Cli.Internal;
using SocketDaemon.Client;
using SocketDaemon.Client.Tail;

namespace SocketDaemon.Cli.Commands;

/// <summary><c>socketctl tail</c>: follows the messages as they arrive, like <c>journalctl -f</c>.</summary>
internal static class TailCommand
{
    public static Command Create()
    {
        var endpoint = CommonOptions.Endpoint();
        var listener = new Option<string?>("--listener", "-l") { Description = "Only messages of this listener.", HelpName = "NAME" };
        var grep = new Option<string?>("--grep", "-g") { Description = "Only messages whose text contains TEXT.", HelpName = "TEXT" };
        var json = new Option<bool>("--json") { Description = "One JSON object per message." };
        var raw = new Option<bool>("--raw") { Description = "Print message bytes as they are. Without it, control bytes are escaped as in the log file (\\x1b, \\n), so no message can drive the terminal." };
        var lines = new Option<int>("--lines", "-n")
        {
            Description = "First print the last N lines of the message log (read on this host, see --log), then follow.",
            HelpName = "N",
            CustomParser = result => ParseCount(result),
        };
        var log = new Option<string>("--log")
        {
            Description = $"For -n: the message log file, or its directory (the .log file written last). Default: {LogFileTail.DefaultDirectory}.",
            HelpName = "PATH",
            DefaultValueFactory = _ => LogFileTail.DefaultDirectory,
            CustomParser = result => result.Tokens.Count > 0 ? result.Tokens[^1].Value : LogFileTail.DefaultDirectory,
        };
        var command = new Command("tail", "Follow the messages as they arrive, until Ctrl+C or the daemon stops. A slow reader gets a 'skipped N' line for what it missed.")
        {
            endpoint, listener, grep, json, raw, lines, log,
        };
        var tls = new TlsCommandOptions();
        tls.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommonOptions.RunAsync(parse, async () =>
        {
            var output = parse.InvocationConfiguration.Output;
            var escape = !parse.GetValue(raw);
            await using var client = await SocketDaemonClient.ConnectAsync(parse.GetValue(endpoint)!, tls.Apply(parse), cancellationToken);
            if (parse.GetValue(lines) is > 0 and var count)
            {
                // The log file's lines are escaped as they were written; the follow starts after them.
                foreach (var line in LogFileTail.LastLines(LogFileTail.Resolve(parse.GetValue(log)!), count))
                {
                    await output.WriteLineAsync(line);
                }

                await output.FlushAsync(cancellationToken);
            }

            try
            {
                await foreach (var message in client.TailAsync(parse.GetValue(listener), parse.GetValue(grep), cancellationToken))
                {
                    await output.WriteLineAsync(Format(message, parse.GetValue(json), escape));
                    await output.FlushAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C is how a follow ends.
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>One event as tail prints it; JSON escapes control characters itself.</summary>
    internal static string Format(TailEvent message, bool json, bool escape) =>
        message.Skipped > 0 ? string.Create(CultureInfo.InvariantCulture, $"-- skipped {message.Skipped} messages: this reader was too slow --")
        : json ? message.Json ?? JsonSerializer.Serialize(message, TailJsonContext.Default.TailEvent)
        : escape ? string.Create(CultureInfo.InvariantCulture, $"{message.Time:yyyy-MM-ddTHH:mm:ss.ffffffzzz} {TerminalEscaping.Escape(message.Listener)} [{TerminalEscaping.Escape(message.Peer)}] {TerminalEscaping.Escape(message.Text)}")
        : string.Create(CultureInfo.InvariantCulture, $"{message.Time:yyyy-MM-ddTHH:mm:ss.ffffffzzz} {message.Listener} [{message.Peer}] {message.Text}");

    private static int ParseCount(System.CommandLine.Parsing.ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "0";
        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return count;
        }

        result.AddError($"'{token}' is not a number of lines");
        return 0;
    }
}
