using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Proxy;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// One stream connection: decides once what it speaks, then either cuts its bytes into messages for the pipeline
/// or hands it to the HTTP or native-protocol handler, which use the same reads, timeouts and dispatch.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "RunAsync disposes the timeout source when the connection ends.")]
internal sealed class StreamConnection
{
    // At stop, a connection is read until it has been quiet this long: what the peer already sent is in the
    // socket buffer by then, and a peer that keeps sending is cut off by ShutdownTimeout. A second, not less: a
    // sender on a loaded machine pauses between writes for a good part of one (measured: 250 ms lost messages).
    internal static readonly TimeSpan ShutdownQuietPeriod = TimeSpan.FromSeconds(1);

    private readonly ConnectionContext _transport;
    private readonly ListenerContext _listener;
    private readonly CancellationToken _stopping;
    private readonly Socket? _socket;
    private readonly ConnectionStoreEntry? _store;
    private readonly FramingKind _resumeFraming;
    private CancellationTokenSource _timeout = new();
    private long _messages;
    private PipeReader _input;
    private PipeWriter _output;
    private SslStream? _tls;
    private Task _tlsPump = Task.CompletedTask;

    /// <summary>
    /// A connection of <paramref name="listener"/>; <paramref name="store"/> when it lives in systemd's store, and
    /// <paramref name="resumeFraming"/> when a previous run already settled what it speaks.
    /// </summary>
    public StreamConnection(ConnectionContext transport, ListenerContext listener, long id, CancellationToken stopping, PeerInfo? peer = null, ConnectionStoreEntry? store = null, FramingKind resumeFraming = FramingKind.Auto)
    {
        _transport = transport;
        _store = store;
        _resumeFraming = resumeFraming;
        _listener = listener;
        Id = id;
        _stopping = stopping;
        _socket = transport.Features.Get<IConnectionSocketFeature>()?.Socket;
        Peer = peer ?? PeerCredentials.Read(_socket);
        _input = transport.Transport.Input;
        _output = transport.Transport.Output;
    }

    public long Id { get; }

    public DateTimeOffset OpenedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>What the connection speaks; <see cref="FramingKind.Auto"/> until detected.</summary>
    public FramingKind Framing { get; private set; } = FramingKind.Auto;

    public long Messages => Volatile.Read(ref _messages);

    /// <summary>The peer: after a PROXY header the source it names, after a TLS handshake with the client certificate's subject.</summary>
    public PeerInfo Peer { get; private set; }

    public ListenerContext Listener => _listener;

    /// <summary>The connection's plain bytes: decrypted on a TLS listener.</summary>
    public PipeReader Input => _input;

    public PipeWriter Output => _output;

    public CancellationToken Stopping => _stopping;

    public async Task RunAsync()
    {
        var logger = _listener.Logger;
        _listener.Listener.ConnectionOpened();
        ListenerLog.ConnectionOpened(logger, _listener.Name, Id, Peer);

        // A stop wakes a connection that waits for data, so that it drains and closes instead of idling on.
        var wake = _stopping.Register(static state => ((StreamConnection)state!).Input.CancelPendingRead(), this);
        ConnectionHandedOverException? handedOver = null;
        try
        {
            if (!await AdmitAsync())
            {
                return;
            }

            var input = Input;
            var framing = _resumeFraming != FramingKind.Auto ? _resumeFraming
                : _listener.Options.Framing == FramingKind.Auto ? await DetectFramingAsync(input)
                : _listener.Options.Framing;
            if (framing is { } kind)
            {
                Framing = kind;
                ListenerLog.FramingDetected(logger, _listener.Name, Id, Peer, kind.ToString());

                // A framed connection resumes in its framing from any message boundary; a native one only once past
                // its preface, which its handler says; an HTTP request is answered and closed, not worth keeping.
                if (kind == FramingKind.Http)
                {
                    LeaveStore();
                }
                else if (kind != FramingKind.Native)
                {
                    StoreAs(kind);
                }

                await (kind switch
                {
                    FramingKind.Http => _listener.Http.RunAsync(this),
                    FramingKind.Native => _listener.Native.RunAsync(this, resumed: _resumeFraming == FramingKind.Native),
                    _ => ReadMessagesAsync(input, _listener.GetReader(kind), kind),
                });
            }
        }
        catch (ConnectionHandedOverException ex)
        {
            handedOver = ex;
        }
        catch (ProxyHeaderException ex)
        {
            _listener.Listener.ErrorSeen(ErrorReasons.ProxyHeader);
            ListenerLog.BadProxyHeader(logger, _listener.Name, Id, Peer, ex.Message);
        }
        catch (FramingException ex)
        {
            _listener.Listener.ErrorSeen(ErrorReasons.Of(ex.Error));
            ListenerLog.BadFrame(logger, _listener.Name, Id, Peer, ex.Message, ex.Error.ToString());
        }
        catch (Exception ex) when (ex is ConnectionResetException || (ex is IOException && ex.InnerException is SocketException))
        {
            ListenerLog.ConnectionReset(logger, _listener.Name, Id, Peer);
        }
        catch (ConnectionAbortedException)
        {
            // Closed by the daemon itself at the end of a stop.
        }
        catch (Exception ex)
        {
            _listener.Listener.ErrorSeen(ErrorReasons.HandlerFailed);
            ListenerLog.HandlerFailed(logger, ex, _listener.Name, Id, Peer);
        }
        finally
        {
            await wake.DisposeAsync();
            _timeout.Dispose();
            if (handedOver is not null && _transport is OnDemandSocketConnection stored)
            {
                stored.HandOver();
                ListenerLog.ConnectionHandedOver(logger, _listener.Name, Id, Peer, _messages, handedOver.PendingBytes);
            }
            else
            {
                LeaveStore();
                await CloseTlsAsync();
                await _transport.DisposeAsync();
                ListenerLog.ConnectionClosed(logger, _listener.Name, Id, Peer, _messages);
            }

            _listener.Listener.ConnectionClosed();
        }
    }

    /// <summary>
    /// What comes before the connection's own bytes: the PROXY header (whose source then is the peer, checked against
    /// the allow lists), then the TLS handshake. Returns whether the connection may go on.
    /// </summary>
    private async Task<bool> AdmitAsync()
    {
        if (_listener.Options.ProxyProtocol)
        {
            if (await ReadProxyHeaderAsync() is { Source: { } source })
            {
                Peer = Peer.WithProxiedSource(source);
            }

            if (!_listener.Access.Allows(Peer, out var reason))
            {
                _listener.Listener.ErrorSeen(ErrorReasons.AccessDenied);
                ListenerLog.AccessDenied(_listener.Logger, _listener.Name, Peer, reason);
                return false;
            }
        }

        if (_listener.Tls is not { } tls)
        {
            return true;
        }

        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        handshake.CancelAfter(_listener.Limits.FrameTimeout);
        try
        {
            _tls = await tls.AuthenticateAsync(new DuplexPipeStream(_transport.Transport), handshake.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The daemon is stopping: a handshake under way has sent no message yet, and is not the client's fault.
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or ConnectionResetException)
        {
            _listener.Listener.ErrorSeen(ErrorReasons.TlsHandshake);
            ListenerLog.TlsHandshakeFailed(_listener.Logger, _listener.Name, Id, Peer, ex is OperationCanceledException ? $"no handshake within {_listener.Limits.FrameTimeout}" : ex.Message);
            return false;
        }

        Peer = Peer.WithClientCertificate(_tls.RemoteCertificate?.Subject);
        // The decrypted bytes go through a pipe of their own, so that readers keep the pipe's semantics (peeking,
        // cancellation, backpressure) that the framing detection and the timeouts rely on.
        var plain = new Pipe(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
        _tlsPump = PumpAsync(_tls, plain.Writer);
        _input = plain.Reader;
        _output = PipeWriter.Create(_tls, new StreamPipeWriterOptions(leaveOpen: true));
        return true;
    }

    private static async Task PumpAsync(SslStream tls, PipeWriter plain)
    {
        try
        {
            await tls.CopyToAsync(plain);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ConnectionResetException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer reset or the connection is closing: the end of its bytes, as a close would be (a frame cut off is
            // reported as truncated by its reader).
        }

        await plain.CompleteAsync();
    }

    private async Task CloseTlsAsync()
    {
        await _input.CompleteAsync();
        if (_tls is null)
        {
            return;
        }

        try
        {
            await _output.CompleteAsync();
            await _tls.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException or ConnectionResetException or NotSupportedException)
        {
            // The peer is gone; there is nobody to tell.
        }

        _transport.Transport.Input.CancelPendingRead();
        await _tlsPump;
        await _tls.DisposeAsync();
        await _transport.Transport.Input.CompleteAsync();
    }

    private async Task<ProxyHeader?> ReadProxyHeaderAsync()
    {
        var input = _transport.Transport.Input;
        while (true)
        {
            if (await ReadAsync(_listener.Limits.FrameTimeout) is not { } result)
            {
                throw new ProxyHeaderException($"no PROXY header within {_listener.Limits.FrameTimeout.TotalSeconds:0.###} s");
            }

            var buffer = result.Buffer;
            if (ProxyHeaderDecoder.TryDecode(buffer, out var header, out var consumed))
            {
                input.AdvanceTo(consumed);
                return header;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new ProxyHeaderException("the connection closed inside its PROXY header");
            }
        }
    }

    /// <summary>Ends the connection at once, at the end of a stop that waited long enough.</summary>
    public void Abort(ConnectionAbortedException reason) => _transport.Abort(reason);

    /// <summary>Records in systemd's store that the unconsumed bytes are <paramref name="framing"/>; the handler of a protocol with a preface calls it after the preface.</summary>
    public void StoreAs(FramingKind framing) => _store?.Store(framing);

    /// <summary>Takes the connection out of systemd's store: it will be closed at a stop, not handed over.</summary>
    public void LeaveStore() => _store?.Remove();

    /// <summary>A context for this connection's messages; reuse it for all of them.</summary>
    public MessageContext CreateMessageContext(FramingKind framing) =>
        new(_listener.Name, Id, Peer, _listener.Services) { Framing = framing };

    /// <summary>Counts <paramref name="message"/> and runs it through the pipeline.</summary>
    public ValueTask DispatchAsync(MessageContext context, in ReadOnlySequence<byte> message)
    {
        _messages++;
        _listener.Listener.MessageRead(message.Length);
        context.SetMessage(message, DateTimeOffset.UtcNow);
        return _listener.Pipeline(context);
    }

    /// <summary>How long the next read may wait: the quiet period when stopping, else per whether a frame is under way.</summary>
    public TimeSpan NextReadTimeout(bool midFrame) =>
        _stopping.IsCancellationRequested ? ShutdownQuietPeriod
        : midFrame ? _listener.Limits.FrameTimeout
        : _listener.Limits.IdleTimeout;

    /// <summary>Closes for a timeout: a frame under way is an error, an idle connection is just closed.</summary>
    /// <exception cref="FramingException">A frame was under way.</exception>
    public void OnTimeout(bool midFrame, TimeSpan timeout)
    {
        if (midFrame)
        {
            var error = _stopping.IsCancellationRequested ? FramingError.Truncated : FramingError.Timeout;
            throw new FramingException(error, $"frame incomplete after {timeout.TotalSeconds:0.###} s{(_stopping.IsCancellationRequested ? " while stopping" : string.Empty)}");
        }

        if (!_stopping.IsCancellationRequested)
        {
            ListenerLog.IdleTimeout(_listener.Logger, _listener.Name, Id, Peer, timeout);
        }
    }

    /// <summary>Reads from the pipe, or returns <see langword="null"/> when nothing came within <paramref name="timeout"/>.</summary>
    /// <exception cref="ConnectionHandedOverException">The daemon stops and the store keeps the connection for the next run.</exception>
    public async ValueTask<ReadResult?> ReadAsync(TimeSpan timeout)
    {
        if (_stopping.IsCancellationRequested && _store is { IsStored: true })
        {
            HandOver();
        }

        while (true)
        {
            _timeout.CancelAfter(timeout);
            try
            {
                return await Input.ReadAsync(_timeout.Token);
            }
            catch (OperationCanceledException) when (_timeout.IsCancellationRequested && IsStoppingWithDataPending())
            {
                // A busy machine may take longer than the quiet period to move bytes from the kernel into the pipe;
                // they were sent before the stop, so wait for them (ShutdownTimeout still bounds the wait).
            }
            catch (OperationCanceledException) when (_timeout.IsCancellationRequested)
            {
                return null;
            }
            finally
            {
                ResetTimeout();
            }
        }
    }

    /// <summary>
    /// At a stop, instead of reading on: every complete frame read so far has been handled (a handler asks for more
    /// only then), so what the pipe still holds is the start of a frame. It goes to the store beside the connection,
    /// and nothing more is taken from the kernel: the next run reads on from exactly there.
    /// </summary>
    /// <exception cref="ConnectionHandedOverException">Always, unless the pending bytes could not be stored.</exception>
    private void HandOver()
    {
        Input.CancelPendingRead();
        Input.TryRead(out var result);
        var pending = result.Buffer;
        Input.AdvanceTo(pending.Start, pending.End);
        if (_store!.StorePending(pending))
        {
            throw new ConnectionHandedOverException(pending.Length);
        }

        // Without its pending bytes the connection would resume mid-frame: drain and close it as without a store.
        LeaveStore();
    }

    /// <summary>
    /// Looks at the first bytes without consuming them (the pipe's equivalent of <c>recv(MSG_PEEK)</c>): the
    /// chosen reader or handler then sees the connection from its first byte.
    /// </summary>
    private async Task<FramingKind?> DetectFramingAsync(PipeReader input)
    {
        long seen = 0;
        while (true)
        {
            var read = await ReadAsync(_stopping.IsCancellationRequested ? ShutdownQuietPeriod : _listener.Limits.FrameTimeout);
            if (read is not { } result)
            {
                // No more bytes in time: what came is text too short for any other framing.
                if (seen == 0 && !_stopping.IsCancellationRequested)
                {
                    ListenerLog.IdleTimeout(_listener.Logger, _listener.Name, Id, Peer, _listener.Limits.FrameTimeout);
                }

                return seen == 0 ? null : FramingKind.Lines;
            }

            var buffer = result.Buffer;
            seen = buffer.Length;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                return null;
            }

            var kind = FramingDetector.Detect(buffer, _listener.MaxMessageBytes, isFinal: result.IsCompleted);
            input.AdvanceTo(buffer.Start, kind is null ? buffer.End : buffer.Start);
            if (kind is not null)
            {
                return kind;
            }
        }
    }

    private async Task ReadMessagesAsync(PipeReader input, FrameReader reader, FramingKind framing)
    {
        // All the messages of one read go to the log writers as one hand-over, after the last of them.
        var context = CreateMessageContext(framing);
        context.BatchWrites = true;
        var partial = false;
        while (true)
        {
            var timeout = NextReadTimeout(partial);
            if (await ReadAsync(timeout) is not { } result)
            {
                OnTimeout(partial, timeout);
                return;
            }

            var buffer = result.Buffer;
            try
            {
                while (reader.TryRead(ref buffer, out var message))
                {
                    await DispatchAsync(context, message);
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        await DispatchAsync(context, reader.ReadFinal(buffer));
                        buffer = buffer.Slice(buffer.End);
                    }

                    return;
                }

                partial = !buffer.IsEmpty;
            }
            finally
            {
                await context.FlushAsync();
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    private bool IsStoppingWithDataPending()
    {
        try
        {
            return _stopping.IsCancellationRequested && _socket is { Available: > 0 };
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private void ResetTimeout()
    {
        if (!_timeout.TryReset())
        {
            _timeout.Dispose();
            _timeout = new CancellationTokenSource();
        }
    }
}
