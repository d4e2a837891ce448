using System.Net.Sockets;
using System.Runtime.InteropServices;
using SocketDaemon.Internal;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Listeners.Internal;

/// <summary>Reads who is on the other end of a socket.</summary>
internal static class PeerCredentials
{
    /// <summary>
    /// The name of process <paramref name="pid"/> (proc(5), <c>/proc/PID/comm</c>), or <see langword="null"/> when it is
    /// gone or hidden (<c>hidepid=</c>). Read once per connection: a process may change it, but not its credentials.
    /// </summary>
    public static string? ProcessName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The peer of <paramref name="socket"/>: on a Unix socket the credentials the kernel recorded at
    /// connect(2) (<c>SO_PEERCRED</c>, see unix(7)), which the peer cannot forge; on TCP its address.
    /// </summary>
    public static PeerInfo Read(Socket? socket)
    {
        if (socket is null)
        {
            return PeerInfo.Unknown;
        }

        try
        {
            if (socket.AddressFamily == AddressFamily.Unix && OperatingSystem.IsLinux())
            {
                // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
                Span<int> ucred = stackalloc int[3];
                var length = socket.GetRawSocketOption(Libc.SOL_SOCKET, Libc.SO_PEERCRED, MemoryMarshal.AsBytes(ucred));
                return length == 12 ? PeerInfo.FromCredentials(ucred[0], (uint)ucred[1], (uint)ucred[2], ProcessName(ucred[0])) : PeerInfo.Unknown;
            }

            return socket.RemoteEndPoint is { } remote ? PeerInfo.FromEndPoint(remote) : PeerInfo.Unknown;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The peer may already be gone; its messages, if any, still count.
            return PeerInfo.Unknown;
        }
    }
}
