using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.CompilerServices;
using SocketDaemon.Client;

namespace SocketDaemon.Cli.Commands;

/// <summary><c>socketctl send</c>: sends each argument, or each line of standard input, as one message.</summary>
internal static class SendCommand
{
    public static Command Create(Func<TextReader> standardInput)
    {
        var endpoint = CommonOptions.Endpoint();
        var framing = new Option<MessageFraming>("--framing", "-f")
        {
            Description = "native (acknowledged: exits 0 only when every message is in the daemon's log), seed (the classic sock-client.c frame), lines or octet.",
            DefaultValueFactory = _ => MessageFraming.Native,
            CustomParser = ParseFraming,
        };
        var messages = new Argument<string[]>("MESSAGE")
        {
            Description = "The messages to send. Without any, each line of standard input is one message.",
            Arity = ArgumentArity.ZeroOrMore,

            // System.CommandLine's own conversion makes the array by reflection (Array.CreateInstance of the value
            // type), which in Native AOT builds the reflection runtime first: most of a millisecond of every send.
            CustomParser = result => [.. result.Tokens.Select(token => token.Value)],
        };

        var command = new Command("send", "Send messages.") { endpoint, framing, messages };
        var tls = new TlsCommandOptions();
        tls.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommonOptions.RunAsync(parse, async () =>
        {
            var options = tls.Apply(parse, new SocketDaemonClientOptions { Framing = parse.GetValue(framing) });
            await using var client = await SocketDaemonClient.ConnectAsync(parse.GetValue(endpoint)!, options, cancellationToken);
            var arguments = parse.GetValue(messages) ?? [];
            await (arguments.Length > 0
                ? client.SendManyAsync(arguments, cancellationToken)
                : client.SendManyAsync(ReadLinesAsync(standardInput(), cancellationToken), cancellationToken));
            return 0;
        }));
        return command;
    }

    // A switch rather than the default Enum.TryParse: in Native AOT the first enum parse builds the reflection runtime,
    // a millisecond of a one-message socketctl send -f seed.
    private static MessageFraming ParseFraming(ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        switch (token.ToUpperInvariant())
        {
            case "NATIVE":
                return MessageFraming.Native;
            case "SEED":
                return MessageFraming.Seed;
            case "LINES":
                return MessageFraming.Lines;
            case "OCTET":
                return MessageFraming.Octet;
            default:
                result.AddError($"'{token}' is not a framing; expected native, seed, lines or octet.");
                return default;
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
