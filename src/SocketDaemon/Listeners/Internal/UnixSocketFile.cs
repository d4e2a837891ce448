using System.Net.Sockets;
using SocketDaemon.Internal;

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

    /// <summary>Removes the socket file at <paramref name="path"/>, if a socket is still there.</summary>
    public static void Remove(string path)
    {
        if (Libc.GetPathKind(path) == Libc.PathKind.Socket)
        {
            File.Delete(path);
        }
    }
}
