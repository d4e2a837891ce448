using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using SocketDaemon.Internal;

namespace SocketDaemon.Systemd;

/// <summary>
/// Sends sd_notify(3) messages to <c>NOTIFY_SOCKET</c>, whoever set it: systemd, <c>systemd-socket-activate</c>, or
/// a container runtime. Microsoft.Extensions.Hosting.Systemd notifies only when systemd is the parent process.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private readonly string? _address;
    private readonly Socket? _socket;

    /// <summary>Creates a notifier for <paramref name="notifySocket"/> (a path, or <c>@name</c> for an abstract socket). For testing.</summary>
    internal SystemdNotifier(string? notifySocket, TimeSpan? watchdogInterval)
    {
        WatchdogInterval = watchdogInterval;
        if (string.IsNullOrEmpty(notifySocket))
        {
            return;
        }

        _address = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
        _endPoint = new UnixDomainSocketEndPoint(_address);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>Whether there is anyone to notify.</summary>
    public bool IsEnabled => _socket is not null;

    /// <summary>How often systemd expects <c>WATCHDOG=1</c>, when its watchdog is on for this process.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Reads <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c> (see sd_watchdog_enabled(3)).</summary>
    public static SystemdNotifier FromEnvironment()
    {
        var socket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        TimeSpan? watchdog = null;
        if (long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) && microseconds > 0
            && (string.IsNullOrEmpty(pid) || pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
        {
            watchdog = TimeSpan.FromMicroseconds(microseconds);
        }

        return new SystemdNotifier(socket, watchdog);
    }

    /// <summary>Sends <paramref name="state"/>: newline-separated assignments such as <c>READY=1</c>.</summary>
    /// <returns>Whether it was sent; a notifier with no socket, or a socket nobody reads, sends nothing.</returns>
    public bool Notify(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (_socket is null)
        {
            return false;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), _endPoint!);
            return true;
        }
        catch (SocketException)
        {
            // The manager went away (or never listened); the daemon's work does not depend on it.
            return false;
        }
    }

    /// <summary>
    /// Sends <paramref name="state"/> with <paramref name="descriptor"/> attached (<c>SCM_RIGHTS</c>), as
    /// sd_pid_notify_with_fds(3) does for <c>FDSTORE=1</c>.
    /// </summary>
    /// <returns>0 once sent, else the errno of sendmsg(2); ENOTCONN (107) when there is no one to notify.</returns>
    internal int Notify(string state, SafeHandle descriptor)
    {
        if (_socket is null)
        {
            return 107;
        }

        var added = false;
        try
        {
            descriptor.DangerousAddRef(ref added);
            return Libc.SendWithDescriptor(_socket.SafeHandle, _address!, Encoding.UTF8.GetBytes(state), (int)descriptor.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                descriptor.DangerousRelease();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _socket?.Dispose();
}
