using System.CommandLine;
using System.CommandLine.Parsing;
using SocketDaemon.Cli.Commands;
using SocketDaemon.Cli.Internal;

namespace SocketDaemon.Cli;

/// <summary>The <c>socketctl</c> command tree.</summary>
public static class SocketCtl
{
    /// <summary>Exit code of a command that failed without a more precise cause (<see cref="ExitCodes"/> has them all).</summary>
    public const int Failed = ExitCodes.Failed;

    /// <summary>Creates the root command; <paramref name="standardInput"/> feeds <c>send</c> when it has no message arguments.</summary>
    public static RootCommand CreateRootCommand(TextReader standardInput)
    {
        ArgumentNullException.ThrowIfNull(standardInput);
        return CreateRootCommand(() => standardInput);
    }

    /// <summary>Creates the root command; <paramref name="standardInput"/> is asked for the reader only by a <c>send</c> without message arguments.</summary>
    /// <remarks>Lazy because <see cref="Console.In"/> costs about a millisecond to set up, a tenth of a one-message send.</remarks>
    public static RootCommand CreateRootCommand(Func<TextReader> standardInput)
    {
        ArgumentNullException.ThrowIfNull(standardInput);
        CommandLineResources.Install();
        return new RootCommand(
            "socketctl: talk to SocketDaemon (or, with seed, lines or octet framing, to any server reading those frames).\n"
            + "Exit codes: 0 ok, 1 failed (health: unhealthy), 2 usage, 3 not running or unreachable, 4 permission denied, 5 TLS failed, 6 refused by the daemon.\n"
            + "Shell completion: install dotnet-suggest and register socketctl with it.")
        {
            SendCommand.Create(standardInput),
            StatusCommand.Create(),
            HealthCommand.Create(),
            ReloadCommand.Create(),
            QuitCommand.Create(),
            TailCommand.Create(),
            TopCommand.Create(),
        };
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A command line that does not parse gets one line on standard error
    /// with a hint, not the whole help, and exit code <see cref="ExitCodes.Usage"/>.
    /// </summary>
    public static Task<int> InvokeAsync(string[] args, Func<TextReader> standardInput, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parse = CreateRootCommand(standardInput).Parse(args);
        configuration ??= new InvocationConfiguration();
        var error = parse.Errors.Count > 0 ? DescribeError(parse) : UnknownOptionAmongArguments(parse);
        if (error is null)
        {
            return parse.InvokeAsync(configuration, cancellationToken);
        }

        configuration.Error.WriteLine($"socketctl: {error}");
        return Task.FromResult(ExitCodes.Usage);
    }

    /// <summary>
    /// An option-like word that <c>send</c>'s messages took (<c>--framng</c>, <c>-x</c>): a typo far more often than a
    /// message. Messages that start so go after <c>--</c>; one like <c>-5 degrees</c> is a message.
    /// </summary>
    internal static string? UnknownOptionAmongArguments(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        Token? previous = null;
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                return null;
            }

            var optionLike = token.Value.Length > 2 ? token.Value.StartsWith("--", StringComparison.Ordinal) && char.IsAsciiLetter(token.Value[2])
                : token.Value.Length == 2 && token.Value[0] == '-' && char.IsAsciiLetter(token.Value[1]);
            if (token.Type == TokenType.Argument && optionLike && previous?.Type != TokenType.Option)
            {
                var nearest = Suggestions.Nearest(token.Value, command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)));
                return $"unknown option '{token.Value}' for 'socketctl {command.Name}'{(nearest is null ? "." : $"; did you mean '{nearest}'?")} A message that starts with '-' goes after '--'. See 'socketctl {command.Name} --help'.";
            }

            previous = token;
        }

        return null;
    }

    /// <summary>The one line for a command line that does not parse: what is wrong, the nearest name if any, where help is.</summary>
    internal static string DescribeError(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var path = command is RootCommand ? "socketctl" : $"socketctl {command.Name}";
        var help = $"See '{path} --help'.";
        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                var nearest = Suggestions.Nearest(token, command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)));
                return $"unknown option '{token}' for '{path}'{(nearest is null ? "." : $"; did you mean '{nearest}'?")} {help}";
            }

            if (command is RootCommand)
            {
                var nearest = Suggestions.Nearest(token, command.Subcommands.Select(c => c.Name));
                return $"unknown command '{token}'{(nearest is null ? "." : $"; did you mean '{nearest}'?")} {help}";
            }

            return $"unexpected argument '{token}' for '{path}'. {help}";
        }

        if (command is RootCommand && parse.Tokens.Count == 0)
        {
            return $"no command given; try 'socketctl status'. {help}";
        }

        var message = parse.Errors[0].Message.TrimEnd('.');
        return $"{char.ToLowerInvariant(message[0])}{message[1..]}. {help}";
    }
}
