using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SocketDaemon.Client;

namespace SocketDaemon.Systemd;

/// <summary>
/// The sockets systemd passed to this process: <c>LISTEN_PID</c>, <c>LISTEN_FDS</c> and <c>LISTEN_FDNAMES</c>, the
/// descriptors from 3 on (see sd_listen_fds(3)). Read once at start; the variables are then removed so that child
/// processes do not take the sockets for theirs.
/// </summary>
public sealed class SocketActivation
{
    /// <summary>The first passed descriptor, <c>SD_LISTEN_FDS_START</c>.</summary>
    public const int FirstDescriptor = 3;

    /// <summary>The endpoint prefix that names passed sockets: <c>systemd:NAME</c>.</summary>
    public const string EndpointPrefix = "systemd:";

    // StoredDescriptorName.Prefix: what the daemon itself put in systemd's store.
    private const string StoredPrefix = "socketdaemon.";

    private readonly List<ActivatedSocket> _sockets;

    /// <summary>Creates the set from explicit values. For testing, and for <see cref="FromEnvironment"/>.</summary>
    internal SocketActivation(IEnumerable<ActivatedSocket> sockets, IEnumerable<(int FileDescriptor, string Name)>? stored = null)
    {
        _sockets = [.. sockets];
        Stored = [.. stored ?? []];
    }

    /// <summary>No sockets: the daemon was not socket-activated.</summary>
    public static SocketActivation None { get; } = new([]);

    /// <summary>Every passed socket, in descriptor order.</summary>
    public IReadOnlyList<ActivatedSocket> Sockets => _sockets;

    /// <summary>
    /// The descriptors systemd passed back from its file-descriptor store (names starting <c>socketdaemon.</c>):
    /// listeners and connections of an earlier run, and memfds; not inspected here, for they are not all sockets.
    /// </summary>
    internal IReadOnlyList<(int FileDescriptor, string Name)> Stored { get; }

    /// <summary>Whether systemd passed any socket of a socket unit.</summary>
    public bool IsActivated => _sockets.Count > 0;

    /// <summary>The passed sockets named <paramref name="name"/>.</summary>
    public IReadOnlyList<ActivatedSocket> Named(string name) =>
        [.. _sockets.Where(s => string.Equals(s.Name, name, StringComparison.Ordinal))];

    /// <summary>Reads what systemd passed, if it passed anything to this very process.</summary>
    /// <exception cref="InvalidOperationException">The variables are set but inconsistent, or a descriptor is not a socket.</exception>
    public static SocketActivation FromEnvironment()
    {
        var pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        var fds = Environment.GetEnvironmentVariable("LISTEN_FDS");
        var names = Environment.GetEnvironmentVariable("LISTEN_FDNAMES");

        // The variables are meant for the process systemd started; a child must not see them (sd_listen_fds(3)).
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);

        if (string.IsNullOrEmpty(fds) || !int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var listenPid) || listenPid != Environment.ProcessId)
        {
            return None;
        }

        if (!int.TryParse(fds, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 0 or > 1024)
        {
            throw new InvalidOperationException($"LISTEN_FDS={fds} is not a count of descriptors");
        }

        var nameList = string.IsNullOrEmpty(names) ? [] : names.Split(':');
        var sockets = new List<ActivatedSocket>(count);
        var stored = new List<(int, string)>();
        for (var i = 0; i < count; i++)
        {
            var fd = FirstDescriptor + i;
            var name = i < nameList.Length && nameList[i].Length > 0 ? nameList[i] : "unknown";
            if (name.StartsWith(StoredPrefix, StringComparison.Ordinal))
            {
                stored.Add((fd, name));
            }
            else
            {
                sockets.Add(Inspect(fd, name));
            }
        }

        return new SocketActivation(sockets, stored);
    }

    internal static ActivatedSocket Inspect(int fd, string name)
    {
        try
        {
            // Not owned: the descriptor stays open for the listener that takes it.
            using var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: false));
            return new ActivatedSocket(fd, name, socket.SocketType, Describe(socket.LocalEndPoint, socket.SocketType == SocketType.Dgram));
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"descriptor {fd} ('{name}') passed by systemd is not a socket: {ex.Message}", ex);
        }
    }

    private static SocketEndpoint? Describe(EndPoint? endPoint, bool datagram) => endPoint switch
    {
        IPEndPoint ip => SocketEndpoint.FromIPEndPoint(ip, datagram),
        UnixDomainSocketEndPoint unix when unix.ToString() is { Length: > 0 } path =>
            SocketEndpoint.Parse((datagram ? "unixgram:" : "unix:") + (path[0] == '\0' ? "@" + path[1..] : path)),
        _ => null,
    };
}
