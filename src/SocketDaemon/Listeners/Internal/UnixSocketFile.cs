using System.Net.Sockets;
using SocketDaemon.Internal;
using SocketDaemon.Connections;

namespace SocketDaemon.Listeners.Internal;

/// <summary>The socket file of a Unix listener: made free before bind, given its mode, removed at the end.</summary>
internal static class UnixSocketFile
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Makes <paramref name="path"/> free to bind. A socket file that nobody listens on any more (left by a crash)
    /// is removed; a socket someone still listens on, or a file that is not a socket, is never touched.
    /// </summary>
    /// <returns>Whether a stale socket file was removed.</returns>
    public static async Task<bool> ClearStaleAsync(string listener, string path, CancellationToken cancellationToken, SocketType type = SocketType.Stream)
    {
        switch (Libc.GetPathKind(path))
        {
            case Libc.PathKind.None:
                return false;
            case Libc.PathKind.Other:
                throw new ListenerBindException(listener, $"{path} exists and is not a socket; remove it or choose another path");
        }

        // A datagram socket is probed with a datagram socket: connect(2) to a socket of the other type is refused too.
        using var probe = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Nobody answered in time, but something holds the socket open: a full backlog is not stale.
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ProtocolType)
        {
            throw new ListenerBindException(listener, $"{path} is a live socket of another type (stream or datagram); is another daemon using it?", ex);
        }

        var owner = PeerCredentials.Read(probe);
        throw new ListenerBindException(listener, $"{path} is in use by another process ({owner}); is another socketdaemon running?");
    }

    /// <summary>
    /// Gives the socket file (and the directory the daemon made for it) the configured mode, owner and group, between
    /// bind(2) and listen(2), so it never accepts with the umask's mode or the daemon's group.
    /// </summary>
    /// <exception cref="ListenerBindException">The daemon may not give the file away; the message names the key.</exception>
    public static void SetAccess(string listener, string path, ListenerOptions options, string? createdDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(path, ListenerBinding.ParseMode(options.Mode));
        if (options.Owner is null && options.Group is null)
        {
            return;
        }

        // The validator resolved both; a name removed since is an error here all the same.
        uint? owner = options.Owner is null ? null : Libc.TryResolveId(options.Owner, group: false, out var uid) ? uid
            : throw new ListenerBindException(listener, "Owner", $"'{options.Owner}' is not a user", null);
        uint? group = options.Group is null ? null : Libc.TryResolveId(options.Group, group: true, out var gid) ? gid
            : throw new ListenerBindException(listener, "Group", $"'{options.Group}' is not a group", null);
        foreach (var target in createdDirectory is null ? [path] : new[] { createdDirectory, path })
        {
            var errno = Libc.ChangeOwner(target, owner, group);
            if (errno != 0)
            {
                var key = options.Owner is not null ? "Owner" : "Group";
                var reason = errno == 1 /* EPERM */
                    ? $"cannot give {target} to owner {options.Owner ?? "-"} group {options.Group ?? "-"}: not permitted; only root (CAP_CHOWN) may give a file to another user, and a user only to a group it is in (the daemon runs as uid {Libc.GetEffectiveUserId()})"
                    : $"cannot give {target} to owner {options.Owner ?? "-"} group {options.Group ?? "-"}: errno {errno}";
                throw new ListenerBindException(listener, key, reason, null);
            }
        }
    }

    /// <summary>
    /// Creates the directory of a socket file when it is missing: 0750, so that the socket's own mode, owner and group
    /// decide who connects. Returns the directory when it was created.
    /// </summary>
    public static string? CreateDirectory(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is not { } directory || Directory.Exists(directory))
        {
            return null;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        return directory;
    }

    /// <summary>Removes the socket file at <paramref name="path"/>, if a socket is still there.</summary>
    public static void Remove(string path)
    {
        if (Libc.GetPathKind(path) == Libc.PathKind.Socket)
        {
            File.Delete(path);
        }
    }
}
