using System.Net.Sockets;
using SocketDaemon.Client.Internal;

namespace SocketDaemon.Client.Sending;

/// <summary>Opens the socket, the TLS stream and, for the native protocol, the negotiated connection: every mode's way in.</summary>
internal static class ClientConnector
{
    /// <summary>Connects (with TLS for <c>tls://</c>) and negotiates the native protocol.</summary>
    public static async Task<NativeConnection> ConnectNativeAsync(SocketEndpoint endpoint, SocketDaemonClientOptions options, CancellationToken cancellationToken)
    {
        var socket = await ConnectSocketAsync(endpoint, options, cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            var stream = await OpenStreamAsync(socket, endpoint, options, timeout.Token);
            return await NativeConnection.OpenAsync(socket, endpoint, timeout.Token, stream);
        }
        catch (Exception ex)
        {
            socket.Dispose();
            ThrowIfTimedOut(ex, endpoint, options, cancellationToken);
            throw;
        }
    }

    /// <summary>Connects (with TLS for <c>tls://</c>) and returns the socket and the stream to write framed messages to.</summary>
    public static async Task<(Socket Socket, Stream Stream)> ConnectRawAsync(SocketEndpoint endpoint, SocketDaemonClientOptions options, CancellationToken cancellationToken)
    {
        var socket = await ConnectSocketAsync(endpoint, options, cancellationToken);
        try
        {
            // Only TLS waits for the server here; the first timer of a process starts a thread.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (endpoint.UseTls)
            {
                timeout.CancelAfter(options.ConnectTimeout);
            }

            return (socket, await OpenStreamAsync(socket, endpoint, options, timeout.Token));
        }
        catch (Exception ex)
        {
            socket.Dispose();
            ThrowIfTimedOut(ex, endpoint, options, cancellationToken);
            throw;
        }
    }

    private static async Task<Stream> OpenStreamAsync(Socket socket, SocketEndpoint endpoint, SocketDaemonClientOptions options, CancellationToken cancellationToken) =>
        endpoint.UseTls
            ? await TlsClient.AuthenticateAsync(socket, endpoint, options, cancellationToken)
            : new NetworkStream(socket, ownsSocket: false);

    private static void ThrowIfTimedOut(Exception ex, SocketEndpoint endpoint, SocketDaemonClientOptions options, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new SocketDaemonConnectException($"{endpoint} did not answer the native-protocol preface within {options.ConnectTimeout.TotalSeconds:0.#} s; is it a SocketDaemon?", ex);
        }
    }

    private static async Task<Socket> ConnectSocketAsync(SocketEndpoint endpoint, SocketDaemonClientOptions options, CancellationToken cancellationToken)
    {
        var socket = endpoint.Kind == SocketEndpointKind.Unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timing = false;
        try
        {
            // A non-blocking connect(2) to a Unix socket whose listen backlog is full fails at once with EAGAIN, where
            // a blocking one (as in sock-client.c) would wait; so wait, a little longer each time, until the timeout.
            for (var delay = 1; ; delay = Math.Min(delay * 2, 100))
            {
                try
                {
                    // The timeout starts with the first connect that has to wait: one to a Unix socket never does, and
                    // the first timer of a process starts a thread, a tenth of a one-message socketctl send.
                    var connect = socket.ConnectAsync(endpoint.EndPoint, timeout.Token);
                    if (!connect.IsCompleted)
                    {
                        StartTimeout();
                    }

                    await connect;
                    return socket;
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TryAgain or SocketError.WouldBlock && endpoint.Kind == SocketEndpointKind.Unix)
                {
                    StartTimeout();
                    await Task.Delay(delay, timeout.Token);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            var reason = ex switch
            {
                // .NET reports a missing socket file as "Cannot assign requested address"; say what it is.
                SocketException when endpoint.Path is { } path && !File.Exists(path) => $"{path} does not exist; is the daemon running?",
                SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused; is the daemon running?",
                SocketException se => se.Message,
                _ => $"timed out after {options.ConnectTimeout.TotalSeconds:0.#} s",
            };
            throw new SocketDaemonConnectException($"cannot connect to {endpoint}: {reason}", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        void StartTimeout()
        {
            if (!timing)
            {
                timing = true;
                timeout.CancelAfter(options.ConnectTimeout);
            }
        }
    }
}
