using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using SocketDaemon.Client;
using SocketDaemon.Framing;
using SocketDaemon.Internal;
using SocketDaemon.Pipeline;
using SocketDaemon.Connections;
using SocketDaemon.Systemd;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// A <c>unixgram:</c> or <c>udp:</c> listener: one datagram is one message, as <c>logger</c> and syslog senders
/// send them. A datagram that holds a classic seed frame is unwrapped; one longer than the limit is dropped and counted,
/// never logged cut.
/// </summary>
internal sealed class DatagramListener(ListenerContext context, SocketEndpoint endpoint, ActivatedSocket? activated = null) : IListener
{
    /// <summary>The receive buffer when <c>ReceiveBufferBytes</c> is not set: enough for a burst from <c>logger</c> (docs/operations.md).</summary>
    internal const int DefaultReceiveBufferBytes = 4 * 1024 * 1024;

    // Room for the longest message, a seed header around it and a trailing newline, and one byte more: a datagram
    // that fills the buffer is longer than any accepted one (a cut datagram fills it too).
    private const int Overhead = SeedFrameReader.HeaderSize + 2;

    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task _receiving = Task.CompletedTask;
    private bool _ownsSocketFile;
    private uint _dropCount;
    private long _dropsUnwarned;
    // Far enough back that the first is logged, near enough that now minus it does not overflow.
    private long _lastDropWarning = long.MinValue / 2;
    private long _lastDeniedLog = long.MinValue / 2;

    // The one receive loop's way into the pipeline; each datagram names its own sender.
    private MessageIntake? _intake;

    // The context of the last sender's datagrams, reused while they come from it (a burst mostly does), as a
    // connection reuses one: what the Log step keeps for it, such as its line prefix, is that sender's.
    private MessageContext? _context;

    public async Task BindAsync(CancellationToken cancellationToken)
    {
        var name = context.Name;
        if (activated is not null)
        {
            _socket = new Socket(new SafeSocketHandle(activated.FileDescriptor, ownsHandle: true));
        }
        else
        {
            var path = endpoint.Path;
            var createdDirectory = path is null ? null : UnixSocketFile.CreateDirectory(path);
            if (path is not null && await UnixSocketFile.ClearStaleAsync(name, path, cancellationToken, SocketType.Dgram))
            {
                ListenerLog.StaleSocketRemoved(context.Logger, name, path);
            }

            var bindTo = await ListenerBinding.ResolveAsync(name, endpoint, cancellationToken);
            _socket = endpoint.Kind == SocketEndpointKind.UnixDatagram
                ? new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified)
                : new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (bindTo is IPEndPoint { Address: var any } && any.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }

            try
            {
                _socket.Bind(bindTo);
            }
            catch (SocketException ex)
            {
                _socket.Dispose();
                throw new ListenerBindException(name, $"cannot bind {endpoint}: {ex.Message}", ex);
            }

            if (path is not null)
            {
                _ownsSocketFile = true;
                try
                {
                    UnixSocketFile.SetAccess(name, path, context.Options, createdDirectory);
                }
                catch
                {
                    _socket.Dispose();
                    UnixSocketFile.Remove(path);
                    throw;
                }
            }
        }

        // Unix datagrams carry their sender's credentials when asked to (unix(7)); each datagram may come from another process.
        if (_socket.AddressFamily == AddressFamily.Unix && OperatingSystem.IsLinux())
        {
            _socket.SetRawSocketOption(Libc.SOL_SOCKET, Libc.SO_PASSCRED, BitConverter.GetBytes(1));
        }

        SetReceiveBuffer(_socket);
        if (OperatingSystem.IsLinux() && Libc.SetSocketOption(_socket.SafeHandle, Libc.SO_RXQ_OVFL, 1) is var error and not 0)
        {
            DatagramLog.DropCountUnavailable(context.Logger, name, error);
        }

        if (_socket.LocalEndPoint is IPEndPoint bound)
        {
            context.Listener.Endpoint = SocketEndpoint.FromIPEndPoint(bound, datagram: true);
        }

        ListenerLog.DatagramBound(context.Logger, name, context.Listener.Endpoint.ToString(), _socket.ReceiveBufferSize);
        ListenerBinding.WarnIfOpenToNetwork(context, _socket.LocalEndPoint);
    }

    public void StartAccepting() => _receiving = ReceiveLoopAsync();

    public async Task UnbindAsync()
    {
        await _stopping.CancelAsync();
        await _receiving;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _receiving;
        _socket?.Dispose();
        _stopping.Dispose();
        if (_ownsSocketFile && endpoint.Path is { } path)
        {
            UnixSocketFile.Remove(path);
            ListenerLog.Unbound(context.Logger, context.Name, path);
        }
    }

    private Task ReceiveLoopAsync() => OperatingSystem.IsLinux() ? ReceiveMessagesAsync() : ReceiveFromAsync();

    /// <summary>
    /// Waits for a datagram without taking it, then takes every queued one with recvmsg(2): .NET's receive calls
    /// return neither the sender's credentials nor the kernel's count of dropped datagrams.
    /// </summary>
    private async Task ReceiveMessagesAsync()
    {
        var socket = _socket!;
        var buffer = GC.AllocateUninitializedArray<byte>(context.MaxMessageBytes + Overhead + 1, pinned: true);
        var address = new byte[Libc.AddressBytes];
        var senders = new DatagramSenders();
        while (true)
        {
            try
            {
                // At a stop, what is already queued is still taken in; then the loop ends.
                if (_stopping.IsCancellationRequested && socket.Available == 0)
                {
                    return;
                }

                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek, _stopping.IsCancellationRequested ? CancellationToken.None : _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                continue;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.MessageSize)
            {
                // One is there, longer than the empty buffer: taken below.
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                return;
            }

            int received;
            while ((received = Libc.ReceiveDatagram(socket.SafeHandle, buffer, address, out var receipt)) >= 0)
            {
                if (receipt.HasDropCount)
                {
                    CountDrops(receipt.DropCount, socket);
                }

                var peer = receipt.Credentials is var (pid, uid, gid)
                    ? PeerInfo.FromCredentials(pid, uid, gid, PeerCredentials.ProcessName(pid))
                    : senders.Of(address.AsSpan(0, receipt.AddressLength));
                await DispatchAsync(buffer.AsMemory(0, receipt.Truncated ? buffer.Length : received), peer);
            }

            // Drops after the last datagram of a burst come with no datagram: read the count once the queue is empty.
            if (Libc.TryReadDropCount(socket.SafeHandle, out var count))
            {
                CountDrops(count, socket);
            }
        }
    }

    private async Task ReceiveFromAsync()
    {
        var socket = _socket!;
        var buffer = GC.AllocateUninitializedArray<byte>(context.MaxMessageBytes + Overhead + 1, pinned: true);
        EndPoint any = socket.AddressFamily == AddressFamily.Unix
            ? new UnixDomainSocketEndPoint("\0")
            : new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (true)
        {
            int received;
            EndPoint? from;
            try
            {
                if (_stopping.IsCancellationRequested && socket.Available == 0)
                {
                    return;
                }

                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.IsCancellationRequested ? CancellationToken.None : _stopping.Token);
                received = result.ReceivedBytes;
                from = result.RemoteEndPoint;
            }
            catch (OperationCanceledException)
            {
                continue;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.MessageSize)
            {
                received = buffer.Length;
                from = null;
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                return;
            }

            await DispatchAsync(buffer.AsMemory(0, received), from is IPEndPoint ip ? PeerInfo.FromEndPoint(ip) : PeerInfo.Unknown);
        }
    }

    /// <summary>
    /// Counts what the socket's running drop count (<c>SO_RXQ_OVFL</c> or <c>SO_MEMINFO</c>) grew by since the last reading, and warns
    /// at most once a minute with the drops since the last warning.
    /// </summary>
    private void CountDrops(uint count, Socket socket)
    {
        // A datagram queued before the last reading carries an older, smaller count.
        var dropped = unchecked((int)(count - _dropCount));
        if (dropped <= 0)
        {
            return;
        }

        _dropCount = count;
        context.Listener.DatagramsDroppedSeen(dropped);
        _dropsUnwarned += dropped;
        var now = Environment.TickCount64;
        if (now - _lastDropWarning >= 60_000)
        {
            _lastDropWarning = now;
            DatagramLog.ReceiveBufferOverflow(context.Logger, context.Name, _dropsUnwarned, context.Listener.DatagramsDropped, socket.ReceiveBufferSize);
            _dropsUnwarned = 0;
        }
    }

    /// <summary>
    /// Sets the receive buffer: <c>SO_RCVBUFFORCE</c> first, which passes <c>net.core.rmem_max</c> with
    /// <c>CAP_NET_ADMIN</c>, else <c>SO_RCVBUF</c>, capped at it. The default never shrinks a larger buffer, such as
    /// one systemd's <c>ReceiveBuffer=</c> set on an activated socket.
    /// </summary>
    private void SetReceiveBuffer(Socket socket)
    {
        var requested = context.Options.ReceiveBufferBytes ?? DefaultReceiveBufferBytes;
        if (!OperatingSystem.IsLinux())
        {
            socket.ReceiveBufferSize = requested;
            return;
        }

        // Linux doubles the value for its bookkeeping and reports the doubled one (socket(7)).
        if (context.Options.ReceiveBufferBytes is null && socket.ReceiveBufferSize >= 2L * requested)
        {
            return;
        }

        if (Libc.SetSocketOption(socket.SafeHandle, Libc.SO_RCVBUFFORCE, requested) != 0)
        {
            socket.ReceiveBufferSize = requested;
        }

        if (socket.ReceiveBufferSize < 2L * requested)
        {
            DatagramLog.ReceiveBufferCapped(context.Logger, context.Name, requested, socket.ReceiveBufferSize / 2);
        }
    }

    private async ValueTask DispatchAsync(ReadOnlyMemory<byte> datagram, PeerInfo peer)
    {
        if (!context.Access.Allows(peer, out var reason))
        {
            context.Listener.ErrorSeen(ErrorReasons.AccessDenied);
            // Every refused datagram is counted; a flood of them is logged once a second, not once each.
            var now = Environment.TickCount64;
            if (now - _lastDeniedLog >= 1000)
            {
                _lastDeniedLog = now;
                ListenerLog.AccessDenied(context.Logger, context.Name, peer, reason);
            }

            return;
        }

        var message = Unwrap(datagram.Span, out var offset);
        if (datagram.Length > context.MaxMessageBytes + Overhead || message.Length > context.MaxMessageBytes)
        {
            context.Listener.ErrorSeen(ErrorReasons.Of(FramingError.Oversize));
            ListenerLog.DatagramDropped(context.Logger, context.Name, peer, context.MaxMessageBytes);
            return;
        }

        var messageContext = ContextOf(peer);
        var intake = _intake ??= new MessageIntake(context, 0, peer, PeerConnections.KeyOf(peer), _stopping.Token);
        intake.From(peer);
        try
        {
            await intake.DeliverAsync(messageContext, new ReadOnlySequence<byte>(datagram.Slice(offset, message.Length)), context.Time.GetUtcNow());
        }
        catch (Exception ex)
        {
            intake.Failed(ex);
        }
    }

    private MessageContext ContextOf(PeerInfo peer)
    {
        if (_context is { } last && IsSameSender(last.Peer, peer))
        {
            return last;
        }

        return _context = new MessageContext(context.Name, 0, peer, context.Services) { Framing = FramingKind.Datagram };
    }

    // A Unix sender's credentials come with each datagram, in a new PeerInfo; an address is the same object while it repeats.
    private static bool IsSameSender(PeerInfo last, PeerInfo peer) =>
        ReferenceEquals(last, peer) || (last.ProcessId is not null && last.ProcessId == peer.ProcessId && last.UserId == peer.UserId
            && last.GroupId == peer.GroupId && string.Equals(last.ProcessName, peer.ProcessName, StringComparison.Ordinal));

    /// <summary>The message in a datagram: inside a seed frame if it holds exactly one, without a trailing newline.</summary>
    internal static ReadOnlySpan<byte> Unwrap(ReadOnlySpan<byte> datagram, out int offset)
    {
        offset = 0;
        if (datagram.Length > SeedFrameReader.HeaderSize && MemoryMarshal.Read<int>(datagram) == datagram.Length - SeedFrameReader.HeaderSize)
        {
            offset = SeedFrameReader.HeaderSize;
            datagram = datagram[SeedFrameReader.HeaderSize..];
            return datagram[^1] == 0 ? datagram[..^1] : datagram;
        }

        return FrameTrimming.TrimDatagram(datagram);
    }
}
