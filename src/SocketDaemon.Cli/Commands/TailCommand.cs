using System.CommandLine;
using System.Globalization;
using System.Text.Json;
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
        var command = new Command("tail", "Follow the messages as they arrive, until Ctrl+C or the daemon stops. A slow reader gets a 'skipped N' line for what it missed.")
        {
            endpoint, listener, grep, json,
        };
        var tls = new TlsCommandOptions();
        tls.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommonOptions.RunAsync(parse, async () =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var client = await SocketDaemonClient.ConnectAsync(parse.GetValue(endpoint)!, tls.Apply(parse), cancellationToken);
            try
            {
                await foreach (var message in client.TailAsync(parse.GetValue(listener), parse.GetValue(grep), cancellationToken))
                {
                    await output.WriteLineAsync(
                        message.Skipped > 0 ? string.Create(CultureInfo.InvariantCulture, $"-- skipped {message.Skipped} messages: this reader was too slow --")
                        : parse.GetValue(json) ? message.Json ?? JsonSerializer.Serialize(message, TailJsonContext.Default.TailEvent)
                        : string.Create(CultureInfo.InvariantCulture, $"{message.Time:yyyy-MM-ddTHH:mm:ss.ffffffzzz} {message.Listener} [{message.Peer}] {message.Text}"));
                    await output.FlushAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C is how a follow ends.
            }

            return 0;
        }));
        return command;
    }
}
