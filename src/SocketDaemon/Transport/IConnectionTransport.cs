using System.IO.Pipelines;
using System.Net.Sockets;

namespace SocketDaemon.Transport;

/// <summary>
/// The bytes of one stream connection, as pipes: an accepted socket (<see cref="SocketConnection"/>), or a pair of
/// in-memory pipes in tests, so that every connection protocol and timeout rule runs without a socket.
/// </summary>
internal interface IConnectionTransport : IDuplexPipe, IAsyncDisposable
{
    /// <summary>The socket underneath, if any: a stop asks it whether the peer's bytes are still in the kernel.</summary>
    Socket? Socket { get; }

    /// <summary>Ends the connection at once: a pending read sees its end, the peer sees it closed.</summary>
    void Abort();

    /// <summary>Leaves the connection open for the next run (systemd's store): never closed by this process.</summary>
    void HandOver();
}
