using SocketDaemon.Diagnostics;
using Microsoft.Extensions.Logging;

namespace SocketDaemon.Listeners.Internal;

/// <summary>The operational log of datagram listeners' receive buffers (event ids in Diagnostics/EventIds.cs).</summary>
internal static partial class DatagramLog
{
    [LoggerMessage(EventIds.DatagramsDroppedByKernel, LogLevel.Warning, "Listener {Listener}: the kernel dropped {Dropped} datagrams ({Total} since start): the receive buffer of {ReceiveBuffer} bytes was full; raise Listeners:{Listener}:ReceiveBufferBytes")]
    public static partial void ReceiveBufferOverflow(ILogger logger, string listener, long dropped, long total, int receiveBuffer);

    [LoggerMessage(EventIds.ReceiveBufferCapped, LogLevel.Warning, "Listener {Listener}: asked for a receive buffer of {Requested} bytes (ReceiveBufferBytes), the kernel gave {Effective}: net.core.rmem_max caps it for a process without CAP_NET_ADMIN")]
    public static partial void ReceiveBufferCapped(ILogger logger, string listener, int requested, int effective);

    [LoggerMessage(EventIds.DropCountingUnavailable, LogLevel.Warning, "Listener {Listener}: cannot count datagrams the kernel drops (SO_RXQ_OVFL: errno {Errno})")]
    public static partial void DropCountUnavailable(ILogger logger, string listener, int errno);
}
