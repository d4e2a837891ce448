using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using SocketDaemon.Transport;

namespace SocketDaemon.Connections;

/// <summary>
/// A connection's TLS: the handshake (within <c>FrameTimeout</c>), then its plain bytes in and out as pipes, and the
/// close_notify at the end.
/// </summary>
internal sealed class TlsSession
{
    private readonly SslStream _tls;
    private readonly IConnectionTransport _transport;
    private readonly Task _pump;

    private TlsSession(SslStream tls, IConnectionTransport transport)
    {
        _tls = tls;
        _transport = transport;
        // The decrypted bytes go through a pipe of their own, so that readers keep the pipe's semantics (peeking,
        // cancellation, backpressure) that the framing detection and the timeouts rely on.
        var plain = new Pipe(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
        _pump = PumpAsync(tls, plain.Writer);
        Input = plain.Reader;
        Output = PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>The decrypted bytes.</summary>
    public PipeReader Input { get; }

    /// <summary>The plain bytes out, encrypted on their way.</summary>
    public PipeWriter Output { get; }

    /// <summary>The client certificate's subject, if it sent one.</summary>
    public string? ClientSubject => _tls.RemoteCertificate?.Subject;

    /// <summary>Shakes hands; returns null, counted and logged, when that fails, and quietly when the daemon stops meanwhile.</summary>
    public static async Task<TlsSession?> StartAsync(StreamConnection connection, TlsServer server)
    {
        var listener = connection.Listener;
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(connection.Stopping);
        handshake.CancelAfter(listener.Limits.FrameTimeout);
        try
        {
            var tls = await server.AuthenticateAsync(new DuplexPipeStream(connection.Transport), handshake.Token);
            return new TlsSession(tls, connection.Transport);
        }
        catch (OperationCanceledException) when (connection.Stopping.IsCancellationRequested)
        {
            // The daemon is stopping: a handshake under way has sent no message yet, and is not the client's fault.
            return null;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            listener.Listener.ErrorSeen(ErrorReasons.TlsHandshake);
            ListenerLog.TlsHandshakeFailed(listener.Logger, listener.Name, connection.Id, connection.Peer, ex is OperationCanceledException ? $"no handshake within {listener.Limits.FrameTimeout}" : ex.Message);
            return null;
        }
    }

    /// <summary>Sends close_notify (briefly: the peer may be gone) and lets go of the stream.</summary>
    public async Task CloseAsync()
    {
        try
        {
            await Output.CompleteAsync();
            await _tls.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException or NotSupportedException)
        {
            // The peer is gone; there is nobody to tell.
        }

        _transport.Input.CancelPendingRead();
        await _pump;
        await _tls.DisposeAsync();
        await _transport.Input.CompleteAsync();
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
}
