using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;

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
    private CancellationTokenSource _timeout = new();
    private long _messages;

    public StreamConnection(ConnectionContext transport, ListenerContext listener, long id, CancellationToken stopping)
    {
        _transport = transport;
        _listener = listener;
        Id = id;
        _stopping = stopping;
        _socket = transport.Features.Get<IConnectionSocketFeature>()?.Socket;
        Peer = PeerCredentials.Read(_socket);
    }

    public long Id { get; }

    public DateTimeOffset OpenedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>What the connection speaks; <see cref="FramingKind.Auto"/> until detected.</summary>
    public FramingKind Framing { get; private set; } = FramingKind.Auto;

    public long Messages => Volatile.Read(ref _messages);

    public PeerInfo Peer { get; }

    public ListenerContext Listener => _listener;

    public PipeReader Input => _transport.Transport.Input;

    public PipeWriter Output => _transport.Transport.Output;

    public CancellationToken Stopping => _stopping;

    public async Task RunAsync()
    {
        var input = Input;
        var logger = _listener.Logger;
        _listener.Listener.ConnectionOpened();
        ListenerLog.ConnectionOpened(logger, _listener.Name, Id, Peer);

        // A stop wakes a connection that waits for data, so that it drains and closes instead of idling on.
        var wake = _stopping.Register(static state => ((PipeReader)state!).CancelPendingRead(), input);
        try
        {
            var framing = _listener.Options.Framing == FramingKind.Auto ? await DetectFramingAsync(input) : _listener.Options.Framing;
            if (framing is { } kind)
            {
                Framing = kind;
                ListenerLog.FramingDetected(logger, _listener.Name, Id, Peer, kind.ToString());
                await (kind switch
                {
                    FramingKind.Http => _listener.Http.RunAsync(this),
                    FramingKind.Native => _listener.Native.RunAsync(this),
                    _ => ReadMessagesAsync(input, _listener.GetReader(kind), kind),
                });
            }
        }
        catch (FramingException ex)
        {
            _listener.Listener.ErrorSeen(ErrorReasons.Of(ex.Error));
            ListenerLog.BadFrame(logger, _listener.Name, Id, Peer, ex.Message, ex.Error.ToString());
        }
        catch (ConnectionResetException)
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
            await input.CompleteAsync();
            await _transport.DisposeAsync();
            _listener.Listener.ConnectionClosed();
            ListenerLog.ConnectionClosed(logger, _listener.Name, Id, Peer, _messages);
        }
    }

    /// <summary>A context for this connection's messages; reuse it for all of them.</summary>
    public MessageContext CreateMessageContext(FramingKind framing) =>
        new(_listener.Name, Id, Peer, _listener.Services) { Framing = framing };

    /// <summary>Counts <paramref name="message"/> and runs it through the pipeline.</summary>
    public ValueTask DispatchAsync(MessageContext context, in ReadOnlySequence<byte> message, MessageOrigin? origin = null)
    {
        _messages++;
        _listener.Listener.MessageRead(message.Length);
        context.SetMessage(message, DateTimeOffset.UtcNow, origin);
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
    public async ValueTask<ReadResult?> ReadAsync(TimeSpan timeout)
    {
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
        var context = CreateMessageContext(framing);
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
