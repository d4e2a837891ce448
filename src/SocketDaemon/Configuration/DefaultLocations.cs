namespace SocketDaemon.Configuration;

/// <summary>Where the daemon writes when the configuration does not say.</summary>
internal static class DefaultLocations
{
    /// <summary>
    /// The log directory: <paramref name="configured"/>, else systemd's <c>LOGS_DIRECTORY</c> (set by
    /// <c>LogsDirectory=</c>), else <c>logs</c> under the current directory.
    /// </summary>
    public static string LogDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var systemd = Environment.GetEnvironmentVariable("LOGS_DIRECTORY");
        return !string.IsNullOrEmpty(systemd) ? systemd.Split(':')[0] : Path.GetFullPath("logs");
    }

    /// <summary>
    /// The state directory: <c>StateDirectory</c>, else systemd's <c>STATE_DIRECTORY</c> (set by
    /// <c>StateDirectory=</c>), else <c>state</c> under the log directory.
    /// </summary>
    public static string StateDirectory(SharedSettings options)
    {
        if (!string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            return Path.GetFullPath(options.StateDirectory);
        }

        var systemd = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
        return !string.IsNullOrEmpty(systemd) ? systemd.Split(':')[0] : Path.Combine(LogDirectory(options.LogDirectory), "state");
    }
}
