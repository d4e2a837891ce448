using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using SocketDaemon.Client.Framing;

namespace SocketDaemon.Client;

/// <summary>
/// Sends framed messages to SocketDaemon, or to any server that reads the same framing
/// (the classic <c>sock-server.c</c> reads <see cref="MessageFraming.Seed"/>).
/// </summary>
/// <example>
/// <code>
/// await using var client = await SocketDaemonClient.ConnectAsync("unix:/run/socketdaemon/socketdaemon.sock");
/// await client.SendAsync("hello");
/// </code>
/// </example>
public sealed class SocketDaemonClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PipeWriter _output;
    private readonly SocketDaemonClientOptions _options;

    private SocketDaemonClient(Socket socket, SocketEndpoint endpoint, SocketDaemonClientOptions options)
    {
        _socket = socket;
        _options = options;
        Endpoint = endpoint;
        _output = PipeWriter.Create(new NetworkStream(socket, ownsSocket: false), new StreamPipeWriterOptions(leaveOpen: false));
    }

    /// <summary>The endpoint this client is connected to.</summary>
    public SocketEndpoint Endpoint { get; }

    /// <summary>Connects to <paramref name="endpoint"/> (<c>unix:/path</c>, <c>unix:@name</c> or <c>tcp://host:port</c>).</summary>
    /// <exception cref="FormatException">The endpoint string is not valid.</exception>
    /// <exception cref="SocketDaemonConnectException">Nothing accepted the connection in time.</exception>
    public static Task<SocketDaemonClient> ConnectAsync(string endpoint, SocketDaemonClientOptions? options = null, CancellationToken cancellationToken = default)
        => ConnectAsync(SocketEndpoint.Parse(endpoint), options, cancellationToken);

    /// <summary>Connects to <paramref name="endpoint"/>.</summary>
    /// <exception cref="SocketDaemonConnectException">Nothing accepted the connection in time.</exception>
    public static async Task<SocketDaemonClient> ConnectAsync(SocketEndpoint endpoint, SocketDaemonClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= new SocketDaemonClientOptions();

        var socket = endpoint.Kind == SocketEndpointKind.Unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await ConnectWithRetryAsync(socket, endpoint, timeout.Token);
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

        return new SocketDaemonClient(socket, endpoint, options);
    }

    // A non-blocking connect(2) to a Unix socket whose listen backlog is full fails at once with EAGAIN, where a
    // blocking one (as in sock-client.c) would wait; so wait, a little longer each time, until the timeout.
    private static async Task ConnectWithRetryAsync(Socket socket, SocketEndpoint endpoint, CancellationToken cancellationToken)
    {
        for (var delay = 1; ; delay = Math.Min(delay * 2, 100))
        {
            try
            {
                await socket.ConnectAsync(endpoint.EndPoint, cancellationToken);
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TryAgain or SocketError.WouldBlock && endpoint.Kind == SocketEndpointKind.Unix)
            {
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>Sends one message and flushes it to the socket.</summary>
    public ValueTask SendAsync(string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        Write(message);
        return FlushAsync(cancellationToken);
    }

    /// <summary>Sends one message of raw bytes and flushes it to the socket.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (_options.Framing == MessageFraming.Seed)
        {
            SeedFrameWriter.Write(message.Span, _output);
        }
        else
        {
            LineFrameWriter.Write(message.Span, _output);
        }

        return FlushAsync(cancellationToken);
    }

    /// <summary>Sends many messages, writing them to the socket in batches of about <see cref="SocketDaemonClientOptions.BatchBytes"/>.</summary>
    /// <returns>How many messages were sent.</returns>
    public async Task<long> SendManyAsync(IEnumerable<string> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        long count = 0;
        foreach (var message in messages)
        {
            await WriteBatchedAsync(message, cancellationToken);
            count++;
        }

        await FlushAsync(cancellationToken);
        return count;
    }

    /// <summary>Sends messages as they come, writing them to the socket in batches; a slow source never holds back a full batch.</summary>
    /// <returns>How many messages were sent.</returns>
    public async Task<long> SendManyAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        long count = 0;
        await using var enumerator = messages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            // When the source has nothing ready, send what is gathered rather than make it wait for the next message.
            var next = enumerator.MoveNextAsync();
            if (!next.IsCompleted && _output.UnflushedBytes > 0)
            {
                await FlushAsync(cancellationToken);
            }

            if (!await next)
            {
                break;
            }

            await WriteBatchedAsync(enumerator.Current, cancellationToken);
            count++;
        }

        await FlushAsync(cancellationToken);
        return count;
    }

    /// <summary>Writes what is buffered to the socket.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var result = await _output.FlushAsync(cancellationToken);
        if (result.IsCompleted)
        {
            throw new IOException($"the connection to {Endpoint} was closed by the other side");
        }
    }

    /// <summary>Flushes what is buffered, tells the server no more is coming, and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _output.CompleteAsync();
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            // The server is gone; there is nothing left to tell it.
        }
        finally
        {
            _socket.Dispose();
        }
    }

    private ValueTask WriteBatchedAsync(string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Write(message);
        return _output.UnflushedBytes >= _options.BatchBytes ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    private void Write(string message)
    {
        if (_options.Framing == MessageFraming.Seed)
        {
            SeedFrameWriter.Write(message.AsSpan(), _output);
        }
        else
        {
            LineFrameWriter.Write(message.AsSpan(), _output);
        }
    }
}
