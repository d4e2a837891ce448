namespace SocketDaemon.Tests.Infrastructure;

/// <summary><c>systemd-socket-activate</c> in front of the real daemon: systemd's socket passing, without systemd as PID 1.</summary>
public static class SocketActivator
{
    /// <summary>
    /// Listens with <paramref name="listen"/> (systemd-socket-activate options such as <c>-l PATH</c>, <c>-d</c>,
    /// <c>--fdname=NAME</c>) and starts the daemon with <paramref name="daemonArguments"/> at the first activity;
    /// returns once the socket file <paramref name="waitFor"/> exists.
    /// </summary>
    public static async Task<ChildProcess> StartAsync(string waitFor, string[] listen, params string[] daemonArguments)
    {
        var activator = ChildProcess.Start(
            "systemd-socket-activate",
            [.. listen, "dotnet", Path.Combine(AppContext.BaseDirectory, "socketdaemon.dll"), .. daemonArguments]);
        await Wait.UntilAsync(() => File.Exists(waitFor), "systemd-socket-activate to listen");
        return activator;
    }
}
