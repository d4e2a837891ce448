using System.CommandLine;
using System.Runtime.InteropServices;
using SocketDaemon.Client;

namespace SocketDaemon.Cli.Commands;

/// <summary>
/// <c>socketctl reload</c>: asks the daemon for its process id and sends it SIGHUP, as <c>systemctl reload</c> does
/// through the unit's <c>ExecReload</c>. Needs the daemon on this host and the right to signal it (its user or root).
/// </summary>
internal static partial class ReloadCommand
{
    private const int SigHup = 1;
    private const int NoSuchProcess = 3;
    private const int NotPermitted = 1;

    public static Command Create()
    {
        var endpoint = CommonOptions.Endpoint();
        var command = new Command("reload", "Reload the daemon's configuration (SIGHUP to the pid it reports; run as its user or root). The daemon keeps its configuration if the new one is invalid, and logs why.")
        {
            endpoint,
        };
        var tls = new TlsCommandOptions();
        tls.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommonOptions.RunAsync(parse, async () =>
        {
            int pid;
            await using (var client = await SocketDaemonClient.ConnectAsync(parse.GetValue(endpoint)!, tls.Apply(parse), cancellationToken))
            {
                pid = (await client.GetStatusAsync(cancellationToken)).ProcessId;
            }

            if (Kill(pid, SigHup) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                await parse.InvocationConfiguration.Error.WriteLineAsync(errno switch
                {
                    NotPermitted => $"socketctl: cannot signal the daemon (pid {pid}): operation not permitted; run reload as its user or root",
                    NoSuchProcess => $"socketctl: the daemon reports pid {pid}, which is not a process on this host; reload it where it runs",
                    _ => $"socketctl: cannot signal the daemon (pid {pid}): {Marshal.GetPInvokeErrorMessage(errno)}",
                });
                return errno == NotPermitted ? ExitCodes.PermissionDenied : ExitCodes.Failed;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync($"reload requested (SIGHUP to pid {pid}); the daemon's log says whether the new configuration applied");
            return ExitCodes.Ok;
        }));
        return command;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
