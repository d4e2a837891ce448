using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using SocketDaemon.Client;
using SocketDaemon.Framing;
using SocketDaemon.Internal;
using SocketDaemon.Listeners.Systemd;
using SocketDaemon.Pipeline;
using SocketDaemon.Connections;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// A <c>unixgram:</c> or <c>udp:</c> listener: one datagram is one message, as <c>logger</c> and syslog senders
/// send them. A datagram that holds a classic seed frame is unwrapped; one longer than the limit is dropped and counted,
/// never logged cut.
/// </summary>
internal sealed class DatagramListener(ListenerContext context, SocketEndpoint endpoint, ActivatedSocket? activated = null) : IListener
{
    // Room for the longest message, a seed header around it and a trailing newline, and one byte more: a datagram
    // that fills the buffer is longer than any accepted one (a cut datagram fills it too).
    private const int Overhead = SeedFrameReader.HeaderSize + 2;

    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task _receiving = Task.CompletedTask;
    private bool _ownsSocketFile;
    private bool _credentials;
    private long _lastDeniedLog = long.MinValue;

    // The one receive loop's way into the pipeline; each datagram names its own sender.
    private MessageIntake? _intake;

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
            _credentials = true;
        }

        if (context.Options.ReceiveBufferBytes is { } receiveBuffer)
        {
            _socket.ReceiveBufferSize = receiveBuffer;
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

    private async Task ReceiveLoopAsync()
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
            PeerInfo? sender = null;
            try
            {
                // At a stop, what is already queued is still taken in; then the loop ends.
                if (_stopping.IsCancellationRequested && socket.Available == 0)
                {
                    return;
                }

                var token = _stopping.IsCancellationRequested ? CancellationToken.None : _stopping.Token;
                if (_credentials)
                {
                    // Wait for a datagram without taking it, then take it with its credentials.
                    try
                    {
                        await socket.ReceiveAsync(buffer, SocketFlags.Peek, token);
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode == SocketError.MessageSize)
                    {
                        // One is there, longer than the buffer: taken (and dropped) below.
                    }

                    received = Libc.ReceiveWithCredentials(socket.SafeHandle, buffer, out var truncated, out var credentials);
                    if (received < 0)
                    {
                        continue;
                    }

                    received = truncated ? buffer.Length : received;
                    from = null;
                    sender = credentials is var (pid, uid, gid) ? PeerInfo.FromCredentials(pid, uid, gid, PeerCredentials.ProcessName(pid)) : PeerInfo.Unknown;
                }
                else
                {
                    var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token);
                    received = result.ReceivedBytes;
                    from = result.RemoteEndPoint;
                }
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

            await DispatchAsync(buffer.AsMemory(0, received), sender ?? (from is IPEndPoint ip ? PeerInfo.FromEndPoint(ip) : PeerInfo.Unknown));
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

        var messageContext = new MessageContext(context.Name, 0, peer, context.Services) { Framing = FramingKind.Datagram };
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
