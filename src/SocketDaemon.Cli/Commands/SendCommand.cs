using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.CompilerServices;
using SocketDaemon.Cli.Internal;
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

        var tag = new Option<string?>("--tag", "-t") { Description = "Send each message as RFC 5424 syslog with this APP-NAME, as logger(1) -t (default with -p: your user name).", HelpName = "TAG" };
        var priority = new Option<string?>("--priority", "-p")
        {
            Description = "Send each message as RFC 5424 syslog with this priority, as logger(1) -p: facility.severity, such as auth.warning (default with -t: user.notice).",
            HelpName = "FACILITY.SEVERITY",
        };

        var command = new Command("send", "Send messages.") { endpoint, framing, tag, priority, messages };
        var tls = new TlsCommandOptions();
        tls.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommonOptions.RunAsync(parse, async () =>
        {
            var chosen = parse.GetValue(framing);
            var header = parse.GetValue(tag) is null && parse.GetValue(priority) is null ? null : SyslogHeader.Create(parse.GetValue(tag), parse.GetValue(priority));
            IEnumerable<string>? arguments = parse.GetValue(messages) ?? [];
            if (!arguments.Any())
            {
                // Octet counting cannot frame an empty message (RFC 6587: the count starts with a non-zero digit), so
                // all of standard input is read and checked before anything is sent, as arguments are.
                arguments = chosen == MessageFraming.Octet && header is null ? await ReadAllLinesAsync(standardInput(), cancellationToken) : null;
            }

            if (chosen == MessageFraming.Octet && header is null && arguments is not null && IndexOfEmpty(arguments) is var empty and >= 0)
            {
                throw new ArgumentException($"message {empty + 1} is empty, and octet counting (RFC 6587) cannot frame an empty message; nothing was sent");
            }

            var options = tls.Apply(parse, new SocketDaemonClientOptions { Framing = chosen });
            await using var client = await SocketDaemonClient.ConnectAsync(parse.GetValue(endpoint)!, options, cancellationToken);
            await (arguments is not null
                ? client.SendManyAsync(header is null ? arguments : arguments.Select(m => header.Format(m, DateTimeOffset.Now)), cancellationToken)
                : client.SendManyAsync(header is null ? ReadLinesAsync(standardInput(), cancellationToken) : WithHeader(ReadLinesAsync(standardInput(), cancellationToken), header), cancellationToken));
            return ExitCodes.Ok;
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

    private static int IndexOfEmpty(IEnumerable<string> messages)
    {
        var index = 0;
        foreach (var message in messages)
        {
            if (message.Length == 0)
            {
                return index;
            }

            index++;
        }

        return -1;
    }

    private static async Task<List<string>> ReadAllLinesAsync(TextReader reader, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        await foreach (var line in ReadLinesAsync(reader, cancellationToken))
        {
            lines.Add(line);
        }

        return lines;
    }

    private static async IAsyncEnumerable<string> WithHeader(IAsyncEnumerable<string> messages, SyslogHeader header)
    {
        await foreach (var message in messages)
        {
            yield return header.Format(message, DateTimeOffset.Now);
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
