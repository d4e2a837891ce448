using System.CommandLine;
using SocketDaemon.Client;

namespace SocketDaemon.Cli.Commands;

/// <summary><c>socketctl quit</c>: stops the daemon and waits until it is gone.</summary>
internal static class QuitCommand
{
    private static readonly TimeSpan GoneTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var endpoint = CommonOptions.Endpoint();
        var command = new Command("quit", "Stop the daemon gracefully, and wait until it has stopped.") { endpoint };
        var tls = new TlsCommandOptions();
        tls.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommonOptions.RunAsync(parse, async () =>
        {
            var target = SocketEndpoint.Parse(parse.GetValue(endpoint)!);
            await using (var client = await SocketDaemonClient.ConnectAsync(target, tls.Apply(parse), cancellationToken))
            {
                await client.QuitAsync(cancellationToken);
            }

            // The daemon closes its connections before it removes its socket files; gone means the file is gone too.
            var deadline = DateTime.UtcNow + GoneTimeout;
            while (target.Path is { } path && File.Exists(path))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the daemon accepted quit but {path} is still there after {GoneTimeout.TotalSeconds:0} s");
                }

                await Task.Delay(20, cancellationToken);
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync($"stopped {target}");
            return 0;
        }));
        return command;
    }
}
