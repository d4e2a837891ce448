using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Connections.Unconsumed;
using SocketDaemon.Framing;
using SocketDaemon.Internal;
using SocketDaemon.Connections;
using SocketDaemon.Transport;
using SocketDaemon.Systemd;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// The systemd fd-store hand-over, the taking-back side: a connection an earlier run left in the store goes on where
/// that run stopped, with the bytes of the frame it was in (the giving side is <see cref="ConnectionStoreEntry.HandOver"/>).
/// </summary>
internal static class StoredConnectionResume
{
    /// <summary>Takes back a connection an earlier run left in systemd's store; it goes on where that run stopped.</summary>
    public static void Resume(StoredConnection stored, ListenerContext context, ConnectionManager connections, FileDescriptorStore store)
    {
        // The store hands back whatever was put under the name: make sure it is still a connected stream socket.
        if (!IsStreamSocket(stored.FileDescriptor))
        {
            store.Discard(stored.FileDescriptor, stored.Name.ToString(), "not a stream socket");
            return;
        }

        if (!IsPossible(context))
        {
            store.Discard(stored.FileDescriptor, stored.Name.ToString(), "the listener now has TLS or PROXY headers, whose state a stored connection did not keep");
            return;
        }

        var socket = new Socket(new SafeSocketHandle(stored.FileDescriptor, ownsHandle: true));
        Libc.SetCloseOnExec(stored.FileDescriptor, closeOnExec: true);
        var id = stored.Name.ConnectionId;
        connections.Reserve(id);
        var entry = new ConnectionStoreEntry(store, id, context.Name, socket);
        entry.Adopt(stored.Name);
        if (!store.IsEnabled)
        {
            // Turned off since the last run: the client keeps its connection, which closes as any other from now on.
            entry.Remove();
        }

        // An established connection: counted for its peer, never refused by a limit.
        var peer = PeerCredentials.Read(socket);
        var peerKey = PeerConnections.KeyOf(peer);
        context.Peers.TryOpen(peerKey, limit: null, out _);
        // Bytes whose lines the killed run had logged are dropped first; the rest is read again from the socket. A
        // connection handed over with pending bytes (by a run that took them out of the socket) reads as before.
        var peek = entry.IsStored && store.ConsumesWhenLogged && stored.Pending.Length == 0 && stored.Name.Framing is not (FramingKind.Native or FramingKind.Http);
        if (peek)
        {
            context.Services.GetRequiredService<UnconsumedJournal>().SettleResumed(id, socket);
        }

        var connection = new StreamConnection(new SocketConnection(socket, stored.Pending, context.ReceiveBuffers, StreamListener.ReceiveBytes, peek), context, id, peer, peerKey, connections, entry, stored.Name.Framing);
        ListenerLog.ConnectionResumed(context.Logger, context.Name, id, connection.Peer, stored.Name.Framing.ToString(), stored.Pending.Length);
        connections.Track(id, connection);
    }

    /// <summary>Whether connections of <paramref name="context"/> may live in the store: a TLS session or a PROXY header's source lives in this process only.</summary>
    public static bool IsPossible(ListenerContext context) => context.Tls is null && !context.Options.ProxyProtocol;

    private static bool IsStreamSocket(int fd)
    {
        try
        {
            return SocketActivation.Inspect(fd, "stored").SocketType == SocketType.Stream;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
