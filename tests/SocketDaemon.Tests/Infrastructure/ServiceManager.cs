namespace SocketDaemon.Tests.Infrastructure;

/// <summary>
/// What systemd does at a restart of a unit with a file-descriptor store, without systemd as PID 1: starts the real
/// daemon with every stored descriptor passed as fds 3... (<c>LISTEN_FDS</c>, <c>LISTEN_FDNAMES</c>, <c>LISTEN_PID</c>).
/// </summary>
public static class ServiceManager
{
    private static readonly Lazy<Task<string>> Programs = new(() => ClassicPrograms.CompileFolderAsync("Systemd"));

    /// <summary>Starts the daemon with <paramref name="arguments"/> and the descriptors <paramref name="notify"/> stores now.</summary>
    public static async Task<ChildProcess> StartDaemonAsync(NotifySocket notify, IDictionary<string, string> environment, params string[] arguments)
    {
        var launcher = Path.Combine(await Programs.Value, "listen-fds-exec");
        var stored = notify.Stored;

        // The launcher inherits the descriptors only without close-on-exec; the test process keeps them for later.
        foreach (var (_, fd) in stored)
        {
            DescriptorPassing.SetCloseOnExec(fd, closeOnExec: false);
        }

        try
        {
            return ChildProcess.Start(
                launcher,
                [stored.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), .. stored.Select(s => s.Fd.ToString(System.Globalization.CultureInfo.InvariantCulture)), string.Join(':', stored.Select(s => s.Name)),
                    "dotnet", Path.Combine(AppContext.BaseDirectory, "socketdaemon.dll"), .. arguments],
                environment);
        }
        finally
        {
            foreach (var (_, fd) in stored)
            {
                DescriptorPassing.SetCloseOnExec(fd, closeOnExec: true);
            }
        }
    }
}
