using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Connections.Unconsumed;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Proxy;
using SocketDaemon.Transport;

namespace SocketDaemon.Connections;

/// <summary>
/// One stream connection's life: admission (<see cref="ConnectionAdmission"/>), the choice of what it speaks
/// (<see cref="ConnectionProtocols"/>), reads under the deadlines of <see cref="ReadDeadline"/>, parking while idle, and
/// the close or the hand-over to systemd's store (<see cref="ConnectionStoreEntry"/>). Its messages go to the pipeline
/// through its <see cref="MessageIntake"/>.
/// </summary>
internal sealed class StreamConnection : IThreadPoolWorkItem
{
    private readonly IConnectionTransport _transport;
    private readonly ListenerContext _listener;
    private readonly ConnectionManager _manager;
    private readonly CancellationToken _stopping;
    private readonly ConnectionStoreEntry? _store;
    private readonly FramingKind _resumeFraming;

    // Parked between frames (TryPark): the next run goes on in the read loop.
    private bool _parked;
    private MessageContext? _messageContext;
    private PipeReader _input;
    private TlsSession? _tls;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// A connection of <paramref name="peer"/>, counted under <paramref name="peerKey"/> by the caller; <paramref name="store"/>
    /// when it lives in systemd's store, and <paramref name="resumeFraming"/> when a previous run already settled what it speaks.
    /// </summary>
    public StreamConnection(IConnectionTransport transport, ListenerContext listener, long id, PeerInfo peer, string peerKey, ConnectionManager manager, ConnectionStoreEntry? store = null, FramingKind resumeFraming = FramingKind.Auto)
    {
        _transport = transport;
        _store = store;
        _resumeFraming = resumeFraming;
        _listener = listener;
        Id = id;
        _manager = manager;
        _stopping = manager.Stopping;
        _input = transport.Input;
        Intake = new MessageIntake(listener, id, peer, peerKey, _stopping);
        Deadline = new ReadDeadline(this, listener.Time);
        OpenedAt = listener.Time.GetUtcNow();
        // Counted at accept, not when processing starts, so that a burst of accepts sees the listener's limit.
        listener.Listener.ConnectionOpened();
    }

    public long Id { get; }

    public DateTimeOffset OpenedAt { get; }

    /// <summary>What the connection speaks; <see cref="FramingKind.Auto"/> until detected.</summary>
    public FramingKind Framing { get; private set; } = FramingKind.Auto;

    public long Messages => Intake.Messages;

    /// <summary>The peer: after a PROXY header the source it names, after a TLS handshake with the client certificate's subject.</summary>
    public PeerInfo Peer
    {
        get => Intake.Peer;
        set => Intake.Peer = value;
    }

    /// <summary>What the peer is counted and rate-limited under: its uid, or its IP address.</summary>
    public string PeerKey
    {
        get => Intake.PeerKey;
        set => Intake.PeerKey = value;
    }

    public ListenerContext Listener => _listener;

    /// <summary>The connection's way into the pipeline: rate limit, counters, failures.</summary>
    public MessageIntake Intake { get; }

    /// <summary>
    /// When the connection's bytes leave its socket only once their lines are logged (<c>Systemd:ConsumeWhenLogged</c>),
    /// what does that; made by the raw framings on their first read.
    /// </summary>
    public LoggedConsumption? Consumption { get; private set; }

    /// <summary>Every timeout rule of the connection's reads.</summary>
    public ReadDeadline Deadline { get; }

    /// <summary>The bytes as they came off the wire (encrypted on a TLS listener).</summary>
    public IConnectionTransport Transport => _transport;

    /// <summary>The connection's plain bytes: decrypted on a TLS listener.</summary>
    public PipeReader Input => _input;

    /// <summary>The connection's plain bytes out; made on first use, as a raw framing never writes.</summary>
    public PipeWriter Output => _tls?.Output ?? _transport.Output;

    public CancellationToken Stopping => _stopping;

    /// <summary>Completed when the connection has closed (or been handed over) and given back its slots.</summary>
    public Task Closed => _closed.Task;

    /// <summary>The context of the connection's messages, reused for all of them (and across parks).</summary>
    public MessageContext MessageContext => _messageContext ??= CreateMessageContext(Framing);

    /// <summary>
    /// Processing starts on the thread pool (<see cref="ConnectionManager.Track"/>), and starts again there when a
    /// parked connection wakes (<see cref="TryPark"/>); it ends with <see cref="ConnectionManager.Forget"/>.
    /// </summary>
    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    public async Task RunAsync()
    {
        var logger = _listener.Logger;
        var resumed = _parked;
        _parked = false;
        if (!resumed)
        {
            ListenerLog.ConnectionOpened(logger, _listener.Name, Id, Peer);
        }

        ConnectionHandedOverException? handedOver = null;
        var parked = false;
        try
        {
            if (resumed)
            {
                // Back from idle (TryPark): the read loop goes on where it stopped, between two frames.
                parked = await _listener.Protocols.For(Framing).RunAsync(this, resumed: true);
                return;
            }

            if (!await ConnectionAdmission.AdmitAsync(this))
            {
                return;
            }

            var framing = _resumeFraming != FramingKind.Auto ? _resumeFraming
                : _listener.Options.Framing == FramingKind.Auto ? await ConnectionProtocols.DetectAsync(this)
                : _listener.Options.Framing;
            if (framing is { } kind)
            {
                Framing = kind;
                if (kind is FramingKind.Native or FramingKind.Http && _transport.Input is SocketPipeReader { IsPeeking: true } reader)
                {
                    // Acknowledged (native) or answered (HTTP), not logged line by line: read as without the store's peeking.
                    reader.StopPeeking();
                }

                ListenerLog.FramingDetected(logger, _listener.Name, Id, Peer, kind.ToString());
                parked = await _listener.Protocols.For(kind).RunAsync(this, resumed: _resumeFraming != FramingKind.Auto);
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
            Intake.Failed(ex);
        }
        finally
        {
            if (!parked)
            {
                await CloseAsync(handedOver);
            }

            // Parked: idle with no async state; the reader runs Execute again, which resumes above.
        }
    }

    private async Task CloseAsync(ConnectionHandedOverException? handedOver)
    {
        var logger = _listener.Logger;
        try
        {
            if (handedOver is not null)
            {
                _transport.HandOver();
                ListenerLog.ConnectionHandedOver(logger, _listener.Name, Id, Peer, Messages, handedOver.PendingBytes);
            }
            else
            {
                LeaveStore();
                Consumption?.Forget();
                await _input.CompleteAsync();
                if (_tls is not null)
                {
                    await _tls.CloseAsync();
                }

                await _transport.DisposeAsync();
                ListenerLog.ConnectionClosed(logger, _listener.Name, Id, Peer, Messages);
            }
        }
        finally
        {
            // Whatever the close met, the connection gives back its slots: a stop waits for the list to empty.
            _listener.Peers.Close(PeerKey);
            _listener.Listener.ConnectionClosed();
            _manager.Forget(Id);
            _closed.TrySetResult();
        }
    }

    /// <summary>From here on the connection's plain bytes are those of <paramref name="session"/>.</summary>
    internal void UseTls(TlsSession session)
    {
        _tls = session;
        _input = session.Input;
        Peer = Peer.WithClientCertificate(session.ClientSubject);
    }

    /// <summary>
    /// Parks a connection of a raw framing that waits between frames for its next bytes: instead of a suspended chain
    /// of async methods (about 0.7 KB), it holds only the reader's zero-byte receive, and the read loop ends here. The
    /// reader runs <see cref="IThreadPoolWorkItem.Execute"/> again when the socket has something or a read is
    /// cancelled (the deadline tick, a reload, a stop), and the loop goes on with the same deadline. Returns false when
    /// the connection should read now instead (bytes, a wake or the end are there already, the daemon is stopping, or
    /// the input is not the socket's own reader, as behind TLS or in memory).
    /// </summary>
    public bool TryPark(TimeSpan timeout)
    {
        if (_stopping.IsCancellationRequested || _input is not SocketPipeReader reader)
        {
            return false;
        }

        var previous = Deadline.Park(timeout);
        _parked = true;
        if (reader.TryPark(this))
        {
            return true;
        }

        Deadline.Unpark(previous);
        _parked = false;
        return false;
    }

    /// <summary>
    /// The <see cref="Consumption"/> of a connection whose reads leave the bytes in the socket, made on first use for
    /// <paramref name="context"/>; <see langword="null"/> for any other.
    /// </summary>
    public LoggedConsumption? ConsumeWhenLogged(MessageContext context)
    {
        if (Consumption is null && _input is SocketPipeReader { IsPeeking: true } reader)
        {
            var services = _listener.Services;
            Consumption = new LoggedConsumption(reader, services.GetRequiredService<UnconsumedJournal>(), services.GetRequiredService<MessageLogFiles>(), Id, context);
        }

        return Consumption;
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
    /// Reads with the deadline the rules give for a read <paramref name="midFrame"/> or between frames; returns null
    /// when it passed, after closing for it as <see cref="ReadDeadline.OnTimeout"/> says.
    /// </summary>
    /// <exception cref="FramingException">A frame was under way.</exception>
    public async ValueTask<ReadResult?> ReadFrameAsync(bool midFrame)
    {
        var timeout = Deadline.NextTimeout(midFrame);
        if (await ReadAsync(timeout) is { } result)
        {
            return result;
        }

        Deadline.OnTimeout(midFrame, timeout);
        return null;
    }

    /// <summary>Reads from the pipe, or returns <see langword="null"/> when nothing came within <paramref name="timeout"/>.</summary>
    /// <exception cref="ConnectionHandedOverException">The daemon stops and the store keeps the connection for the next run.</exception>
    public async ValueTask<ReadResult?> ReadAsync(TimeSpan timeout)
    {
        if (_stopping.IsCancellationRequested && _store is { IsStored: true })
        {
            _store.HandOver(Input);
        }

        var input = Input;
        while (true)
        {
            var deadline = Deadline.Arm(timeout);
            ReadResult result;
            try
            {
                result = await input.ReadAsync();
            }
            finally
            {
                Deadline.Disarm();
            }

            // A cancelled read is a wake (a stop, a reload) unless its deadline has passed.
            if (!result.IsCanceled || !Deadline.HasPassed(deadline))
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

    /// <summary>Ends the pending read if its deadline is past at <paramref name="now"/> (the connection manager's tick).</summary>
    internal void ExpireIfDue(long now)
    {
        if (Deadline.ExpireIfDue(now))
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

    private bool IsStoppingWithDataPending()
    {
        try
        {
            return _stopping.IsCancellationRequested && _transport.Socket is { Available: > 0 };
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }
}
