using System.CommandLine;
using System.Globalization;
using System.Text;
using SocketDaemon.Cli.Internal;
using SocketDaemon.Client;

namespace SocketDaemon.Cli.Commands;

/// <summary>
/// <c>socketctl top</c>: a live full-terminal view of the daemon, refreshed every second from its status, until
/// <c>q</c> or Ctrl+C. Plain ANSI: the alternate screen while it runs, the terminal as it was afterwards.
/// </summary>
internal static class TopCommand
{
    private const string EnterScreen = "\e[?1049h\e[?25l\e[H\e[2J";
    private const string LeaveScreen = "\e[?25h\e[?1049l";

    public static Command Create()
    {
        var endpoint = CommonOptions.Endpoint();
        var iterations = new Option<int>("--iterations", "-n")
        {
            Description = "Stop after N refreshes (default: until q or Ctrl+C).",
            HelpName = "N",
            CustomParser = result => int.TryParse(result.Tokens.Count > 0 ? result.Tokens[^1].Value : "0", NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : Invalid(result),
        };
        var command = new Command("top", "A live view: per listener and in total messages/s with a sparkline of the last minute, connections, errors by reason, outputs' spools. Quit with q.")
        {
            endpoint, iterations,
        };
        var tls = new TlsCommandOptions();
        tls.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommonOptions.RunAsync(parse, async () =>
        {
            await using var client = await SocketDaemonClient.ConnectAsync(parse.GetValue(endpoint)!, tls.Apply(parse), cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _ = Task.Run(() => WaitForQuit(quit), CancellationToken.None);
            var history = new TopHistory();
            var limit = parse.GetValue(iterations);
            await output.WriteAsync(EnterScreen);
            try
            {
                for (var frame = 1; !quit.IsCancellationRequested; frame++)
                {
                    var status = await client.GetStatusAsync(quit.Token);
                    history.Add(status);
                    var (width, height) = TerminalSize();
                    var screen = new StringBuilder("\e[H");
                    foreach (var line in TopView.Render(status, history, width, height))
                    {
                        screen.Append(line).Append("\e[K\r\n");
                    }

                    await output.WriteAsync(screen.Append("\e[J").ToString());
                    await output.FlushAsync(CancellationToken.None);
                    if (limit > 0 && frame >= limit)
                    {
                        break;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), quit.Token);
                }
            }
            catch (OperationCanceledException) when (quit.IsCancellationRequested)
            {
                // q or Ctrl+C.
            }
            finally
            {
                await output.WriteAsync(LeaveScreen);
                await output.FlushAsync(CancellationToken.None);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    // Keys from the terminal, or characters from a redirected standard input; q (or Q) quits.
    private static void WaitForQuit(CancellationTokenSource quit)
    {
        try
        {
            if (Console.IsInputRedirected)
            {
                int c;
                while ((c = Console.In.Read()) is not ('q' or 'Q'))
                {
                    if (c < 0)
                    {
                        // Input ended without a q (top -n 1 < /dev/null): --iterations or Ctrl+C ends the view.
                        return;
                    }
                }
            }
            else
            {
                while (Console.ReadKey(intercept: true).KeyChar is not ('q' or 'Q'))
                {
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            // No terminal to read keys from: Ctrl+C (or --iterations) ends the view.
            return;
        }

        quit.Cancel();
    }

    private static (int Width, int Height) TerminalSize()
    {
        try
        {
            return Console.WindowWidth > 0 ? (Console.WindowWidth, Console.WindowHeight) : (120, 40);
        }
        catch (IOException)
        {
            return (120, 40);
        }
    }

    private static int Invalid(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"'{result.Tokens[^1].Value}' is not a number of refreshes");
        return 0;
    }
}
