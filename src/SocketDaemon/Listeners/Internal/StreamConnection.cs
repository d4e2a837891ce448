using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Proxy;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// One stream connection: decides once what it speaks, then either cuts its bytes into messages for the pipeline
/// or hands it to the HTTP or native-protocol handler, which use the same reads, timeouts and dispatch.
/// </summary>
internal sealed class StreamConnection : IThreadPoolWorkItem
{
    // At stop, a connection is read until it has been quiet this long: what the peer already sent is in the
    // socket buffer by then, and a peer that keeps sending is cut off by ShutdownTimeout. A second, not less: a
    // sender on a loaded machine pauses between writes for a good part of one (measured: 250 ms lost messages).
    internal static readonly TimeSpan ShutdownQuietPeriod = TimeSpan.FromSeconds(1);

    private readonly SocketConnection _transport;
    private readonly ListenerContext _listener;
    private readonly ConnectionManager _manager;
    private readonly CancellationToken _stopping;
    private readonly Socket? _socket;
    private readonly ConnectionStoreEntry? _store;
    private readonly FramingKind _resumeFraming;
    private readonly long _openedTimestamp = Stopwatch.GetTimestamp();

    // When the pending read times out (a Stopwatch timestamp), NoDeadline while none is pending: the connection
    // manager's one tick compares it with the clock, instead of a timer per connection.
    private long _deadline = NoDeadline;

    // Parked between frames (TryPark), and the deadline the first read after the wake keeps.
    private bool _parked;
    private long _resumeDeadline = NoDeadline;
    private MessageContext? _messageContext;
    private long _messages;
    private long _unpublishedMessages;
    private long _unpublishedBytes;
    private PipeReader _input;
    private PipeWriter? _output;
    private SslStream? _tls;
    private Task _tlsPump = Task.CompletedTask;

    // The frame under way: when its first bytes came (0: between frames), how many have come, and whether the
    // deadline of the next read is the minimum data rate's rather than FrameTimeout's.
    private long _frameStarted;
    private long _frameBytes;
    private bool _deadlineIsRate;
    private bool _deadlineIsAge;
    private bool _rateLimitLogged;

    /// <summary>
    /// A connection of <paramref name="peer"/>, counted under <paramref name="peerKey"/> by the caller; <paramref name="store"/>
    /// when it lives in systemd's store, and <paramref name="resumeFraming"/> when a previous run already settled what it speaks.
    /// </summary>
    public StreamConnection(SocketConnection transport, ListenerContext listener, long id, PeerInfo peer, string peerKey, ConnectionManager manager, ConnectionStoreEntry? store = null, FramingKind resumeFraming = FramingKind.Auto)
    {
        _transport = transport;
        _store = store;
        _resumeFraming = resumeFraming;
        _listener = listener;
        Id = id;
        _manager = manager;
        _stopping = manager.Stopping;
        _socket = transport.Socket;
        Peer = peer;
        PeerKey = peerKey;
        _input = transport.Input;
        // Counted at accept, not when processing starts, so that a burst of accepts sees the listener's limit.
        listener.Listener.ConnectionOpened();
    }

    public long Id { get; }

    public DateTimeOffset OpenedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>What the connection speaks; <see cref="FramingKind.Auto"/> until detected.</summary>
    public FramingKind Framing { get; private set; } = FramingKind.Auto;

    public long Messages => Volatile.Read(ref _messages);

    /// <summary>The peer: after a PROXY header the source it names, after a TLS handshake with the client certificate's subject.</summary>
    public PeerInfo Peer { get; private set; }

    /// <summary>What the peer is counted and rate-limited under: its uid, or its IP address.</summary>
    public string PeerKey { get; private set; }

    public ListenerContext Listener => _listener;

    /// <summary>The connection's plain bytes: decrypted on a TLS listener.</summary>
    public PipeReader Input => _input;

    /// <summary>The connection's plain bytes out; made on first use, as a raw framing never writes.</summary>
    public PipeWriter Output => _output ?? _transport.Output;

    public CancellationToken Stopping => _stopping;

    public async Task RunAsync()
    {
        var logger = _listener.Logger;
        var resumed = _parked;
        _parked = false;
        if (!resumed)
        {
            ListenerLog.ConnectionOpened(logger, _listener.Name, Id, Peer);
        }

        // A stop wakes a connection that waits for data (ConnectionManager.DrainAsync), so that it drains and closes
        // instead of idling on.
        ConnectionHandedOverException? handedOver = null;
        var parked = false;
        try
        {
            if (resumed)
            {
                // Back from idle (TryPark): the read loop goes on where it stopped, between two frames.
                parked = await ReadMessagesAsync(Input, _listener.GetReader(Framing), Framing);
                return;
            }

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

                if (kind is FramingKind.Http or FramingKind.Native)
                {
                    await (kind == FramingKind.Http ? _listener.Http.RunAsync(this) : _listener.Native.RunAsync(this, resumed: _resumeFraming == FramingKind.Native));
                }
                else
                {
                    parked = await ReadMessagesAsync(input, _listener.GetReader(kind), kind);
                }
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
        catch (IOException ex) when (ex.InnerException is SocketException)
        {
            ListenerLog.ConnectionReset(logger, _listener.Name, Id, Peer);
        }
        catch (Exception ex)
        {
            _listener.Listener.ErrorSeen(ErrorReasons.HandlerFailed);
            ListenerLog.HandlerFailed(logger, ex, _listener.Name, Id, Peer);
        }
        finally
        {
            if (!parked)
            {
                try
                {
                    if (handedOver is not null)
                    {
                        _transport.HandOver();
                        ListenerLog.ConnectionHandedOver(logger, _listener.Name, Id, Peer, _messages, handedOver.PendingBytes);
                    }
                    else
                    {
                        LeaveStore();
                        await CloseTlsAsync();
                        await _transport.DisposeAsync();
                        ListenerLog.ConnectionClosed(logger, _listener.Name, Id, Peer, _messages);
                    }
                }
                finally
                {
                    // Whatever the close met, the connection gives back its slots: a stop waits for the list to empty.
                    _listener.Peers.Close(PeerKey);
                    _listener.Listener.ConnectionClosed();
                    _manager.Forget(Id);
                }
            }

            // Parked: idle with no async state; the reader runs Execute again, which resumes above.
        }
    }

    /// <summary>
    /// Processing starts on the thread pool (<see cref="ConnectionManager.Track"/>), and starts again there when a
    /// parked connection wakes (<see cref="TryPark"/>); it ends with <see cref="ConnectionManager.Forget"/>.
    /// </summary>
    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    /// <summary>
    /// Parks a connection of a raw framing that waits between frames for its next bytes: instead of a suspended chain
    /// of async methods (about 0.7 KB), it holds only the reader's zero-byte receive, and the read loop ends here. The
    /// reader runs <see cref="IThreadPoolWorkItem.Execute"/> again when the socket has something or a read is
    /// cancelled (the deadline tick, a reload, a stop), and the loop goes on with the same deadline. Returns false when
    /// the connection should read now instead (bytes, a wake or the end are there already, the daemon is stopping, or
    /// the input is not the socket's own reader, as behind TLS).
    /// </summary>
    private bool TryPark(TimeSpan timeout)
    {
        if (_stopping.IsCancellationRequested || _input is not SocketPipeReader reader)
        {
            return false;
        }

        var deadline = DeadlineAfter(timeout);
        _parked = true;
        var resumeDeadline = _resumeDeadline;
        _resumeDeadline = deadline;
        Volatile.Write(ref _deadline, deadline);
        if (reader.TryPark(this))
        {
            return true;
        }

        Volatile.Write(ref _deadline, NoDeadline);
        _resumeDeadline = resumeDeadline;
        _parked = false;
        return false;
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
                if (!MoveToProxiedPeer())
                {
                    return false;
                }
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
            _tls = await tls.AuthenticateAsync(new DuplexPipeStream(_transport), handshake.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The daemon is stopping: a handshake under way has sent no message yet, and is not the client's fault.
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
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
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
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
            await _output!.CompleteAsync();
            await _tls.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException or NotSupportedException)
        {
            // The peer is gone; there is nobody to tell.
        }

        _transport.Input.CancelPendingRead();
        await _tlsPump;
        await _tls.DisposeAsync();
        await _transport.Input.CompleteAsync();
    }

    /// <summary>
    /// Counts the connection under the source the PROXY header named instead of the load balancer it came through (which
    /// the accept counted, without a limit): MaxConnectionsPerPeer and the per-peer rate limit are the client's.
    /// Returns false, counted and logged, when that source is over MaxConnectionsPerPeer.
    /// </summary>
    private bool MoveToProxiedPeer()
    {
        var key = PeerConnections.KeyOf(Peer);
        var peers = _listener.Peers;
        var limit = _listener.Limits.MaxConnectionsPerPeer;
        peers.Close(PeerKey);
        if (peers.TryOpen(key, limit, out var open))
        {
            PeerKey = key;
            return true;
        }

        // Counted again under the balancer, which the close at the end of RunAsync takes off.
        peers.TryOpen(PeerKey, limit: null, out _);
        _listener.Listener.ErrorSeen(ErrorReasons.PeerConnectionLimit);
        ListenerLog.PeerConnectionLimit(_listener.Logger, _listener.Name, Peer, open, limit!.Value);
        return false;
    }

    private async Task<ProxyHeader?> ReadProxyHeaderAsync()
    {
        var input = _transport.Input;
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
    public void Abort() => _transport.Abort();

    /// <summary>Records in systemd's store that the unconsumed bytes are <paramref name="framing"/>; the handler of a protocol with a preface calls it after the preface.</summary>
    public void StoreAs(FramingKind framing) => _store?.Store(framing);

    /// <summary>Takes the connection out of systemd's store: it will be closed at a stop, not handed over.</summary>
    public void LeaveStore() => _store?.Remove();

    /// <summary>A context for this connection's messages; reuse it for all of them.</summary>
    public MessageContext CreateMessageContext(FramingKind framing) =>
        new(_listener.Name, Id, Peer, _listener.Services) { Framing = framing };

    /// <summary>
    /// Counts <paramref name="message"/>, read at <paramref name="receivedAt"/>, and runs it through the pipeline; the
    /// listener's counters see it at the next <see cref="PublishCounts"/>.
    /// </summary>
    public ValueTask DispatchAsync(MessageContext context, in ReadOnlySequence<byte> message, DateTimeOffset receivedAt, MessageOrigin? origin = null)
    {
        _messages++;
        _unpublishedMessages++;
        _unpublishedBytes += message.Length;
        context.SetMessage(message, receivedAt, origin);
        return _listener.Pipeline(context);
    }

    /// <summary>
    /// Adds the messages dispatched since the last call to the listener's counters: once a read (or batch), before
    /// its lines go to the log, rather than an interlocked add per message on counters every connection shares.
    /// </summary>
    public void PublishCounts()
    {
        if (_unpublishedMessages > 0)
        {
            _listener.Listener.MessagesRead(_unpublishedMessages, _unpublishedBytes);
            _unpublishedMessages = 0;
            _unpublishedBytes = 0;
        }
    }

    /// <summary>Whether the connection has lived past <c>MaxConnectionAge</c>: it closes at the next frame boundary.</summary>
    public bool IsPastMaxAge => _listener.Limits.MaxConnectionAge is { } age && Stopwatch.GetElapsedTime(_openedTimestamp) >= age;

    /// <summary>
    /// Notes where the connection stands after a read: inside a frame, of which <paramref name="buffered"/> bytes have
    /// come, or between frames. Returns <paramref name="midFrame"/>.
    /// </summary>
    public bool TrackFrame(bool midFrame, long buffered)
    {
        if (!midFrame)
        {
            _frameStarted = 0;
            return false;
        }

        if (_frameStarted == 0)
        {
            _frameStarted = Stopwatch.GetTimestamp();
        }

        _frameBytes = buffered;
        return true;
    }

    /// <summary>
    /// How long the next read may wait: the quiet period when stopping; between frames, <c>IdleTimeout</c> (or what is
    /// left of <c>MaxConnectionAge</c>); inside one, what is left of <c>FrameTimeout</c> since the frame began, or less
    /// when <c>MinDataRate</c> wants the next bytes sooner.
    /// </summary>
    public TimeSpan NextReadTimeout(bool midFrame)
    {
        if (_stopping.IsCancellationRequested)
        {
            return ShutdownQuietPeriod;
        }

        var limits = _listener.Limits;
        if (!midFrame)
        {
            var idle = limits.IdleTimeout;
            _deadlineIsAge = limits.MaxConnectionAge is { } age && age - Stopwatch.GetElapsedTime(_openedTimestamp) is var ageLeft && ageLeft < idle;
            return _deadlineIsAge ? Clamp(limits.MaxConnectionAge!.Value - Stopwatch.GetElapsedTime(_openedTimestamp)) : idle;
        }

        if (_frameStarted == 0)
        {
            _frameStarted = Stopwatch.GetTimestamp();
        }

        var elapsed = Stopwatch.GetElapsedTime(_frameStarted);
        var left = limits.FrameTimeout - elapsed;
        _deadlineIsRate = false;
        if (limits.MinDataRate is { } rate)
        {
            // The frame must have averaged the rate by now, once the grace period is over: the next bytes are due then.
            var needed = TimeSpan.FromSeconds(_frameBytes / rate.BytesPerSecond);
            var due = (needed > rate.GracePeriod ? needed : rate.GracePeriod) - elapsed;
            if (due < left)
            {
                left = due;
                _deadlineIsRate = true;
            }
        }

        return Clamp(left);
    }

    /// <summary>Closes for a timeout: a frame under way is an error, an idle or old connection is just closed.</summary>
    /// <exception cref="FramingException">A frame was under way.</exception>
    public void OnTimeout(bool midFrame, TimeSpan timeout)
    {
        if (midFrame)
        {
            var stopping = _stopping.IsCancellationRequested;
            var elapsed = _frameStarted == 0 ? timeout : Stopwatch.GetElapsedTime(_frameStarted);
            if (_deadlineIsRate && !stopping)
            {
                throw new FramingException(FramingError.TooSlow, $"frame arriving slower than MinDataRate {_listener.Limits.MinDataRate!.BytesPerSecond} bytes/s: {_frameBytes} bytes in {elapsed.TotalSeconds:0.###} s");
            }

            var error = stopping ? FramingError.Truncated : FramingError.Timeout;
            throw new FramingException(error, $"frame incomplete after {elapsed.TotalSeconds:0.###} s{(stopping ? " while stopping" : string.Empty)}");
        }

        // A timer may fire a hair early: the deadline that was set, not the clock now, says which limit it was.
        if (_deadlineIsAge || IsPastMaxAge)
        {
            ListenerLog.MaxConnectionAge(_listener.Logger, _listener.Name, Id, Peer, _listener.Limits.MaxConnectionAge!.Value);
        }
        else if (!_stopping.IsCancellationRequested)
        {
            ListenerLog.IdleTimeout(_listener.Logger, _listener.Name, Id, Peer, timeout);
        }
    }

    /// <summary>Whether to close now, at a frame boundary, for <c>MaxConnectionAge</c>; logs it.</summary>
    public bool CloseForAge()
    {
        if (!IsPastMaxAge)
        {
            return false;
        }

        ListenerLog.MaxConnectionAge(_listener.Logger, _listener.Name, Id, Peer, _listener.Limits.MaxConnectionAge!.Value);
        return true;
    }

    /// <summary>
    /// Whether the rate limit lets the next message through: at once when no limit is configured or a token is there;
    /// with <c>Action: delay</c> after waiting for one (the connection reads nothing meanwhile); with
    /// <c>Action: reject</c> not at all, counted (<c>rate_limited</c>) and warned about once per connection.
    /// </summary>
    public ValueTask<bool> AdmitMessageAsync()
    {
        var limiter = _listener.Limits.RateLimiter;
        if (limiter is null || limiter.TryAcquire(PeerKey))
        {
            return ValueTask.FromResult(true);
        }

        return limiter.Action == Hosting.RateLimitAction.Delay ? DelayAsync(limiter) : ValueTask.FromResult(Reject());
    }

    private async ValueTask<bool> DelayAsync(MessageRateLimiter limiter)
    {
        try
        {
            return await limiter.AcquireAsync(PeerKey, _stopping) || Reject();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // What the peer sent before the stop is taken: a stop is no time to lose messages to a rate limit.
            return true;
        }
    }

    private bool Reject()
    {
        _listener.Listener.ErrorSeen(ErrorReasons.RateLimited);
        if (!_rateLimitLogged)
        {
            _rateLimitLogged = true;
            ListenerLog.RateLimited(_listener.Logger, _listener.Name, Id, Peer);
        }

        return false;
    }

    private static TimeSpan Clamp(TimeSpan timeout) => timeout > TimeSpan.Zero ? timeout : TimeSpan.FromMilliseconds(1);

    /// <summary>Reads from the pipe, or returns <see langword="null"/> when nothing came within <paramref name="timeout"/>.</summary>
    /// <exception cref="ConnectionHandedOverException">The daemon stops and the store keeps the connection for the next run.</exception>
    public async ValueTask<ReadResult?> ReadAsync(TimeSpan timeout)
    {
        if (_stopping.IsCancellationRequested && _store is { IsStored: true })
        {
            HandOver();
        }

        var input = Input;
        while (true)
        {
            // Woken from a park: the wait goes on against the deadline it had.
            var deadline = _resumeDeadline != NoDeadline ? _resumeDeadline : DeadlineAfter(timeout);
            _resumeDeadline = NoDeadline;
            Volatile.Write(ref _deadline, deadline);
            ReadResult result;
            try
            {
                result = await input.ReadAsync();
            }
            finally
            {
                Volatile.Write(ref _deadline, NoDeadline);
            }

            // A cancelled read is a wake (a stop, a reload) unless its deadline has passed.
            if (!result.IsCanceled || Stopwatch.GetTimestamp() < deadline)
            {
                return result;
            }

            // The handler had examined all of it before asking for more: leave the pipe as it was.
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (!IsStoppingWithDataPending())
            {
                return null;
            }

            // A busy machine may take longer than the quiet period to move bytes from the kernel into the pipe;
            // they were sent before the stop, so wait for them (ShutdownTimeout still bounds the wait).
        }
    }

    /// <summary>
    /// Ends the pending read if its deadline is past at <paramref name="now"/>: called by the connection manager's tick,
    /// which makes every timeout late by up to one tick.
    /// </summary>
    internal void ExpireIfDue(long now)
    {
        var deadline = Volatile.Read(ref _deadline);
        if (now >= deadline && Interlocked.CompareExchange(ref _deadline, NoDeadline, deadline) == deadline)
        {
            try
            {
                Input.CancelPendingRead();
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                // Closed meanwhile: nothing to wake.
            }
        }
    }

    private const long NoDeadline = long.MaxValue;

    private static long DeadlineAfter(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero)
        {
            return NoDeadline;
        }

        var ticks = timeout.TotalSeconds * Stopwatch.Frequency;
        var now = Stopwatch.GetTimestamp();
        return ticks >= NoDeadline - now ? NoDeadline - 1 : now + (long)ticks;
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
            var read = await ReadAsync(NextReadTimeout(midFrame: true));
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

    /// <summary>Reads messages until the connection ends; returns true when it parked instead (<see cref="TryPark"/>).</summary>
    private async Task<bool> ReadMessagesAsync(PipeReader input, FrameReader reader, FramingKind framing)
    {
        // All the messages of one read go to the log writers as one hand-over, after the last of them. The context
        // outlives a park.
        var context = _messageContext ??= CreateMessageContext(framing);
        context.BatchWrites = true;
        var oversize = default(OversizeState);
        var partial = false;
        while (true)
        {
            var timeout = NextReadTimeout(partial);
            if (!partial && !oversize.InFrame && TryPark(timeout))
            {
                return true;
            }

            if (await ReadAsync(timeout) is not { } result)
            {
                OnTimeout(partial, timeout);
                return false;
            }

            var buffer = result.Buffer;

            // The messages of one read arrived together: one clock reading (and one formatted timestamp) for all of them.
            var receivedAt = DateTimeOffset.UtcNow;
            try
            {
                // The policy is read once per read: a reload applies from the next one.
                var policy = _listener.Limits.Oversize;
                FrameResult read;
                while ((read = reader.Read(ref buffer, policy, ref oversize, out var message)) != FrameResult.Incomplete)
                {
                    await DeliverAsync(context, read, message, reader.MaxMessageBytes, receivedAt);
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        read = reader.ReadFinal(buffer, policy, ref oversize, out var message);
                        await DeliverAsync(context, read, message, reader.MaxMessageBytes, receivedAt);
                        buffer = buffer.Slice(buffer.End);
                    }

                    return false;
                }

                partial = TrackFrame(!buffer.IsEmpty || oversize.InFrame, buffer.Length);
                if (!partial && CloseForAge())
                {
                    return false;
                }
            }
            finally
            {
                PublishCounts();
                await context.FlushAsync();
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    // A message, or one cut to the limit, goes through the rate limit to the pipeline; a dropped frame is only counted.
    // A whole message that the rate limit lets through at once (the usual case) takes no async state machine.
    private ValueTask DeliverAsync(MessageContext context, FrameResult read, in ReadOnlySequence<byte> message, int limit, DateTimeOffset receivedAt)
    {
        var limiter = _listener.Limits.RateLimiter;
        if (read == FrameResult.Message && (limiter is null || limiter.TryAcquire(PeerKey)))
        {
            // With a rate limit every message reads the clock when it is let through, as one that waited does.
            context.Truncated = false;
            return DispatchAsync(context, message, limiter is null ? receivedAt : DateTimeOffset.UtcNow);
        }

        return DeliverSlowAsync(context, read, message, limit, receivedAt);
    }

    private async ValueTask DeliverSlowAsync(MessageContext context, FrameResult read, ReadOnlySequence<byte> message, int limit, DateTimeOffset receivedAt)
    {
        if (read == FrameResult.Dropped)
        {
            _listener.Listener.ErrorSeen(ErrorReasons.OversizeDropped);
            ListenerLog.OversizeDropped(_listener.Logger, _listener.Name, Id, Peer, limit);
            return;
        }

        if (read == FrameResult.Truncated)
        {
            _listener.Listener.ErrorSeen(ErrorReasons.OversizeTruncated);
            ListenerLog.OversizeTruncated(_listener.Logger, _listener.Name, Id, Peer, limit);
        }

        if (await AdmitMessageAsync())
        {
            // With a rate limit the message may have waited (Action: delay): it is read when the wait ends.
            context.Truncated = read == FrameResult.Truncated;
            await DispatchAsync(context, message, _listener.Limits.RateLimiter is null ? receivedAt : DateTimeOffset.UtcNow);
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
}
