using System.CommandLine;
using System.Runtime.CompilerServices;
using SocketDaemon.Client;

namespace SocketDaemon.Cli.Commands;

/// <summary><c>socketctl send</c>: sends each argument, or each line of standard input, as one message.</summary>
internal static class SendCommand
{
    public static Command Create(TextReader standardInput)
    {
        var endpoint = CommonOptions.Endpoint();
        var framing = new Option<MessageFraming>("--framing", "-f")
        {
            Description = "How to frame each message: seed (the classic sock-client.c frame) or lines.",
            DefaultValueFactory = _ => MessageFraming.Seed,
        };
        var messages = new Argument<string[]>("MESSAGE")
        {
            Description = "The messages to send. Without any, each line of standard input is one message.",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var command = new Command("send", "Send messages.") { endpoint, framing, messages };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(endpoint)!,
            parse.GetValue(framing),
            parse.GetValue(messages) ?? [],
            standardInput,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string endpoint, MessageFraming framing, string[] messages, TextReader standardInput, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var options = new SocketDaemonClientOptions { Framing = framing };
            await using var client = await SocketDaemonClient.ConnectAsync(endpoint, options, cancellationToken);
            if (messages.Length > 0)
            {
                await client.SendManyAsync(messages, cancellationToken);
            }
            else
            {
                await client.SendManyAsync(ReadLinesAsync(standardInput, cancellationToken), cancellationToken);
            }

            return 0;
        }
        catch (Exception ex) when (ex is IOException or FormatException or ArgumentException or System.Net.Sockets.SocketException)
        {
            await error.WriteLineAsync($"socketctl: {ex.Message}");
            return SocketCtl.ConnectionFailed;
        }
    }

    // Streams standard input: a million lines are sent as they are read, never all held at once.
    private static async IAsyncEnumerable<string> ReadLinesAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            yield return line;
        }
    }
}
