using SocketDaemon.Client.Internal;

namespace SocketDaemon.Client;

/// <summary>
/// Where SocketDaemon listens when nothing is configured, so that the daemon, <c>socketctl</c> and
/// applications find each other without being told.
/// </summary>
public static class SocketDaemonDefaults
{
    /// <summary>The environment variable that names the endpoint clients connect to.</summary>
    public const string EndpointVariable = "SOCKETDAEMON_ENDPOINT";

    /// <summary>The socket file name inside the runtime directory.</summary>
    public const string SocketFileName = "socketdaemon.sock";

    /// <summary>The built-in TCP endpoint.</summary>
    public const string TcpEndpoint = "tcp://127.0.0.1:7777";

    /// <summary>The runtime directory of a daemon run by root or by systemd.</summary>
    public const string SystemRuntimeDirectory = "/run/socketdaemon";

    /// <summary>
    /// The directory the daemon puts its socket in: systemd's <c>RUNTIME_DIRECTORY</c>, else
    /// <c>$XDG_RUNTIME_DIR/socketdaemon</c>, else <c>/run/socketdaemon</c> for root and
    /// <c>/tmp/socketdaemon-$UID</c> for anyone else.
    /// </summary>
    public static string RuntimeDirectory
    {
        get
        {
            // RuntimeDirectory= may list several directories, separated by colons; the first is ours.
            var systemd = Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY");
            if (!string.IsNullOrEmpty(systemd))
            {
                return systemd.Split(':')[0];
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            if (!string.IsNullOrEmpty(xdg))
            {
                return Path.Combine(xdg, "socketdaemon");
            }

            if (OperatingSystem.IsWindows())
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "SocketDaemon");
            }

            var uid = Libc.GetEffectiveUserId();
            return uid == 0 ? SystemRuntimeDirectory : $"/tmp/socketdaemon-{uid}";
        }
    }

    /// <summary>The built-in Unix endpoint: <see cref="SocketFileName"/> in <see cref="RuntimeDirectory"/>.</summary>
    public static string UnixEndpoint => "unix:" + Path.Combine(RuntimeDirectory, SocketFileName);

    /// <summary>
    /// The endpoint a client uses when it is given none: <see cref="EndpointVariable"/> when set, else this user's
    /// daemon socket, else the system daemon's socket when only that one exists.
    /// </summary>
    public static string ClientEndpoint
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(EndpointVariable);
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            var own = Path.Combine(RuntimeDirectory, SocketFileName);
            var system = Path.Combine(SystemRuntimeDirectory, SocketFileName);
            return "unix:" + (!File.Exists(own) && File.Exists(system) ? system : own);
        }
    }
}
