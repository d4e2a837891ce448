using System.Collections.Concurrent;
using System.Net.Sockets;

namespace SocketDaemon.Transport;

/// <summary>
/// Sockets left open for the next run at a stop: never disposed, and referenced until the process exits. Disposing
/// would hurt a socket the store shares: .NET deletes the file of a Unix socket it bound, and shuts a socket down
/// (for every holder) when it closes it with an operation pending or from the finalizer.
/// </summary>
internal static class HandedOverSockets
{
    private static readonly ConcurrentBag<Socket> Sockets = [];

    public static void Keep(Socket socket) => Sockets.Add(socket);
}
