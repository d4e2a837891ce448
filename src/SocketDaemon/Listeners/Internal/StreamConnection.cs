using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// Reads one stream connection: decides its framing, cuts its bytes into messages and runs each through the pipeline.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "RunAsync disposes the timeout source when the connection ends.")]
internal sealed class StreamConnection
{
    // At stop, a connection is read until it has been quiet this long: what the peer already sent is in the
    // socket buffer by then, and a peer that keeps sending is cut off by ShutdownTimeout.
    internal static readonly TimeSpan ShutdownQuietPeriod = TimeSpan.FromMilliseconds(250);

    private readonly ConnectionContext _transport;
    private readonly ListenerContext _listener;
    private readonly long _id;
    private readonly CancellationToken _stopping;
    private readonly PeerInfo _peer;
    private readonly Socket? _socket;
    private CancellationTokenSource _timeout = new();
    private long _messages;

    public StreamConnection(ConnectionContext transport, ListenerContext listener, long id, CancellationToken stopping)
    {
        _transport = transport;
        _listener = listener;
        _id = id;
        _stopping = stopping;
        _socket = transport.Features.Get<IConnectionSocketFeature>()?.Socket;
        _peer = PeerCredentials.Read(_socket);
    }

    public PeerInfo Peer => _peer;

    public async Task RunAsync()
    {
        var input = _transport.Transport.Input;
        var logger = _listener.Logger;
        _listener.Listener.ConnectionOpened();
        ListenerLog.ConnectionOpened(logger, _listener.Name, _id, _peer);

        // A stop wakes a connection that waits for data, so that it drains and closes instead of idling on.
        var wake = _stopping.Register(static state => ((PipeReader)state!).CancelPendingRead(), input);
        try
        {
            var framing = _listener.Options.Framing == FramingKind.Auto ? await DetectFramingAsync(input) : _listener.Options.Framing;
            if (framing is { } kind)
            {
                ListenerLog.FramingDetected(logger, _listener.Name, _id, _peer, kind.ToString());
                await ReadMessagesAsync(input, _listener.GetReader(kind), kind);
            }
        }
        catch (FramingException ex)
        {
            _listener.Listener.ErrorSeen();
            ListenerLog.BadFrame(logger, _listener.Name, _id, _peer, ex.Message, ex.Error.ToString());
        }
        catch (ConnectionResetException)
        {
            ListenerLog.ConnectionReset(logger, _listener.Name, _id, _peer);
        }
        catch (ConnectionAbortedException)
        {
            // Closed by the daemon itself at the end of a stop.
        }
        catch (Exception ex)
        {
            _listener.Listener.ErrorSeen();
            ListenerLog.HandlerFailed(logger, ex, _listener.Name, _id, _peer);
        }
        finally
        {
            await wake.DisposeAsync();
            _timeout.Dispose();
            await input.CompleteAsync();
            await _transport.DisposeAsync();
            _listener.Listener.ConnectionClosed();
            ListenerLog.ConnectionClosed(logger, _listener.Name, _id, _peer, _messages);
        }
    }

    /// <summary>
    /// Looks at the first bytes without consuming them (the pipe's equivalent of <c>recv(MSG_PEEK)</c>): the
    /// framing's reader then sees the connection from its first byte.
    /// </summary>
    private async Task<FramingKind?> DetectFramingAsync(PipeReader input)
    {
        long seen = 0;
        while (true)
        {
            var read = await ReadAsync(input, _stopping.IsCancellationRequested ? ShutdownQuietPeriod : _listener.Limits.FrameTimeout);
            if (read is not { } result)
            {
                // No more bytes in time: what came is text too short to be a seed header.
                if (seen == 0 && !_stopping.IsCancellationRequested)
                {
                    ListenerLog.IdleTimeout(_listener.Logger, _listener.Name, _id, _peer, _listener.Limits.FrameTimeout);
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
        var context = new MessageContext(_listener.Name, _id, _peer, _listener.Services) { Framing = framing };
        var partial = false;
        while (true)
        {
            var timeout = _stopping.IsCancellationRequested ? ShutdownQuietPeriod
                : partial ? _listener.Limits.FrameTimeout
                : _listener.Limits.IdleTimeout;
            var read = await ReadAsync(input, timeout);
            if (read is not { } result)
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

    private ValueTask DispatchAsync(MessageContext context, in ReadOnlySequence<byte> message)
    {
        _messages++;
        _listener.Listener.MessageRead(message.Length);
        context.SetMessage(message, DateTimeOffset.UtcNow);
        return _listener.Pipeline(context);
    }

    private void OnTimeout(bool partial, TimeSpan timeout)
    {
        if (partial)
        {
            var error = _stopping.IsCancellationRequested ? FramingError.Truncated : FramingError.Timeout;
            throw new FramingException(error, $"frame incomplete after {timeout.TotalSeconds:0.###} s{(_stopping.IsCancellationRequested ? " while stopping" : string.Empty)}");
        }

        if (!_stopping.IsCancellationRequested)
        {
            ListenerLog.IdleTimeout(_listener.Logger, _listener.Name, _id, _peer, timeout);
        }
    }

    /// <summary>Reads from the pipe, or returns <see langword="null"/> when nothing came within <paramref name="timeout"/>.</summary>
    private async ValueTask<ReadResult?> ReadAsync(PipeReader input, TimeSpan timeout)
    {
        while (true)
        {
            _timeout.CancelAfter(timeout);
            try
            {
                return await input.ReadAsync(_timeout.Token);
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
