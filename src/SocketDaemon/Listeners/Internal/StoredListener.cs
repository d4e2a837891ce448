using System.Net;
using System.Net.Sockets;
using SocketDaemon.Client;
using SocketDaemon.Internal;
using SocketDaemon.Connections;
using SocketDaemon.Systemd;

namespace SocketDaemon.Listeners.Internal;

/// <summary>A listening socket an earlier run left in systemd's store, taken back instead of binding anew.</summary>
internal static class StoredListener
{
    /// <summary>
    /// The stored socket of the listener <paramref name="listener"/> when it is still bound where the configuration
    /// says; a socket bound elsewhere (the endpoint changed between runs) is closed and removed from the store.
    /// </summary>
    public static ActivatedSocket? TryTake(FileDescriptorStore store, ListenerContext listener, SocketEndpoint configured, SocketType type)
    {
        if (store.TakeListener(listener.Name) is not { } fd)
        {
            return null;
        }

        var name = StoredDescriptorName.ForListener(listener.Name);
        ActivatedSocket? socket = null;
        try
        {
            socket = SocketActivation.Inspect(fd, name.ToString());
        }
        catch (InvalidOperationException)
        {
            // Not a socket any more: treated below as bound elsewhere.
        }

        if (socket is { Endpoint: { } stored } && socket.SocketType == type && Matches(configured, stored))
        {
            // Inherited without close-on-exec: a child process (Exec handler) must not hold the listener.
            Libc.SetCloseOnExec(fd, closeOnExec: true);
            ListenerLog.ListenerResumed(listener.Logger, listener.Name, stored.ToString());
            if (!store.IsEnabled)
            {
                // The store was turned off since: taken all the same (a new socket could not bind where this one
                // still listens), and let go of.
                store.Remove(name);
            }

            return socket;
        }

        ListenerLog.StoredListenerMismatch(listener.Logger, listener.Name, socket?.Endpoint?.ToString() ?? "nothing SocketDaemon serves", configured.ToString());
        Libc.Close(fd);
        store.Remove(name);
        return null;
    }

    private static bool Matches(SocketEndpoint configured, SocketEndpoint stored)
    {
        if (configured.Kind != stored.Kind)
        {
            return false;
        }

        if (configured.Path is not null || stored.Path is not null)
        {
            // The file must still be there: a run that failed to start may have removed it, and a socket nobody
            // can find by its path accepts nobody.
            return configured.Path is not null && stored.Path is not null
                && string.Equals(Path.GetFullPath(configured.Path), Path.GetFullPath(stored.Path), StringComparison.Ordinal)
                && Libc.GetPathKind(configured.Path) == Libc.PathKind.Socket;
        }

        return (configured.EndPoint, stored.EndPoint) switch
        {
            (IPEndPoint want, IPEndPoint have) => (want.Port == 0 || want.Port == have.Port) && want.Address.Equals(have.Address),
            (DnsEndPoint want, IPEndPoint have) => want.Port == 0 || want.Port == have.Port,
            _ => string.Equals(configured.ToString(), stored.ToString(), StringComparison.Ordinal),
        };
    }
}
