using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using SocketDaemon.Client.Framing;
using SocketDaemon.Client.Internal;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Client.Status;

namespace SocketDaemon.Client;

/// <summary>
/// Sends messages to SocketDaemon. With the native protocol (the default) every send completes only when the daemon
/// has the messages in its log; with <see cref="MessageFraming.Seed"/>, <see cref="MessageFraming.Lines"/> or
/// <see cref="MessageFraming.Octet"/> it speaks to any server reading that framing, such as the classic
/// <c>sock-server.c</c>, and a send completes when the bytes are written.
/// </summary>
/// <example>
/// <code>
/// await using var client = await SocketDaemonClient.ConnectAsync("unix:/run/socketdaemon/socketdaemon.sock");
/// await client.SendAsync("hello");                       // acknowledged: it is in the log
/// await client.SendManyAsync(File.ReadLines("app.log"));   // pipelined batches
/// var status = await client.GetStatusAsync();
/// </code>
/// </example>
public sealed class SocketDaemonClient : IAsyncDisposable
{
    private readonly SocketDaemonClientOptions _options;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private NativeConnection? _native;
    private DiskSpool? _spool;
    private SpoolSender? _spoolSender;
    private Socket? _rawSocket;
    private PipeWriter? _rawOutput;
    private Stream? _rawStream;
    private long _lastId;
    private bool _disposed;

    private SocketDaemonClient(SocketEndpoint endpoint, SocketDaemonClientOptions options)
    {
        Endpoint = endpoint;
        _options = options;
    }

    /// <summary>The endpoint this client is connected to.</summary>
    public SocketEndpoint Endpoint { get; }

    /// <summary>How this client frames its messages.</summary>
    public MessageFraming Framing => _options.Framing;

    /// <summary>Connects to <paramref name="endpoint"/> (<c>unix:/path</c>, <c>unix:@name</c> or <c>tcp://host:port</c>).</summary>
    /// <exception cref="FormatException">The endpoint string is not valid.</exception>
    /// <exception cref="SocketDaemonConnectException">Nothing accepted the connection in time.</exception>
    public static Task<SocketDaemonClient> ConnectAsync(string endpoint, SocketDaemonClientOptions? options = null, CancellationToken cancellationToken = default)
        => ConnectAsync(SocketEndpoint.Parse(endpoint), options, cancellationToken);

    /// <summary>Connects to <paramref name="endpoint"/>; with the native protocol, also negotiates its version.</summary>
    /// <exception cref="SocketDaemonConnectException">Nothing accepted the connection in time.</exception>
    /// <exception cref="NativeProtocolException">The server does not speak the native protocol.</exception>
    public static async Task<SocketDaemonClient> ConnectAsync(SocketEndpoint endpoint, SocketDaemonClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.IsDatagram || endpoint.IsNats)
        {
            throw new ArgumentException($"{endpoint} is a {(endpoint.IsNats ? "NATS" : "datagram")} endpoint; the client connects to unix: and tcp:// endpoints.", nameof(endpoint));
        }

        var client = new SocketDaemonClient(endpoint, options ?? new SocketDaemonClientOptions());
        if (client._options.Spool is { } spool)
        {
            if (client._options.Framing != MessageFraming.Native)
            {
                throw new ArgumentException($"The Spool option needs the native protocol; this client uses {client._options.Framing} framing.", nameof(options));
            }

            // The spool sender makes its own connections, and keeps trying: the daemon may be down while the client starts.
            client._spool = DiskSpool.Open(spool, new DiskSpoolOptions { MaxBytes = client._options.SpoolMaxBytes });
            client._spoolSender = new SpoolSender(
                client._spool,
                [endpoint],
                new SpoolSenderOptions { BatchMessages = client._options.BatchMessages, BatchBytes = client._options.BatchBytes, MaxInFlightBatches = client._options.MaxInFlightBatches,
                    ConnectTimeout = client._options.ConnectTimeout,
                    TlsCaFile = client._options.TlsCaFile,
                    TlsClientCertificate = client._options.TlsClientCertificate,
                    TlsServerName = client._options.TlsServerName,
                });
            client._spoolSender.Start();
            return client;
        }

        await client.OpenAsync(cancellationToken);
        return client;
    }

    /// <summary>Sends one message; with the native protocol, completes when the daemon has logged it.</summary>
    /// <exception cref="SocketDaemonException">The daemon refused the message.</exception>
    public Task SendAsync(string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendOneAsync(message.AsMemory(), default, cancellationToken);
    }

    /// <summary>Sends one message of raw bytes; with the native protocol, completes when the daemon has logged it.</summary>
    /// <exception cref="SocketDaemonException">The daemon refused the message.</exception>
    public Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        SendOneAsync(default, message, cancellationToken);

    /// <summary>
    /// Sends many messages in batches of about <see cref="SocketDaemonClientOptions.BatchBytes"/>, with up to
    /// <see cref="SocketDaemonClientOptions.MaxInFlightBatches"/> awaiting acknowledgement at once.
    /// </summary>
    /// <returns>How many messages were sent (and, with the native protocol, acknowledged).</returns>
    /// <exception cref="SocketDaemonException">The daemon refused some messages; the others are logged.</exception>
    public Task<long> SendManyAsync(IEnumerable<string> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return SendManyAsync(AsAsync(messages, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Sends messages as the source yields them, in batches; when the source has nothing ready, what is gathered
    /// goes out at once rather than wait for a full batch.
    /// </summary>
    /// <returns>How many messages were sent (and, with the native protocol, acknowledged).</returns>
    /// <exception cref="SocketDaemonException">The daemon refused some messages; the others are logged.</exception>
    public async Task<long> SendManyAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_spool is not null)
        {
            return await SpoolAsync(messages, cancellationToken);
        }

        return _options.Framing == MessageFraming.Native
            ? await SendManyNativeAsync(messages, cancellationToken)
            : await SendManyRawAsync(messages, cancellationToken);
    }

    /// <summary>
    /// With <see cref="SocketDaemonClientOptions.Spool"/>: completes when the daemon has acknowledged every message
    /// spooled so far. Without it, sends are acknowledged when they complete, and this returns at once.
    /// </summary>
    public Task WaitUntilDeliveredAsync(CancellationToken cancellationToken = default) =>
        _spool is null ? Task.CompletedTask : _spoolSender!.WaitForAcknowledgedAsync(_spool.NextSequence - 1).WaitAsync(cancellationToken);

    /// <summary>Asks the daemon for its status: listeners, connections and counters.</summary>
    /// <exception cref="InvalidOperationException">The client does not use the native protocol.</exception>
    public async Task<DaemonStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var reply = await RequestAsync(NativeFrameType.Status, cancellationToken);
        return reply.Status ?? throw new NativeProtocolException("the daemon's status reply was empty");
    }

    /// <summary>Asks the daemon to stop, and waits until it has closed this connection on its way out.</summary>
    /// <exception cref="SocketDaemonException">The daemon refused: this user may not stop it, or it is already stopping.</exception>
    public async Task QuitAsync(CancellationToken cancellationToken = default)
    {
        await RequestAsync(NativeFrameType.Quit, cancellationToken);
        await _native!.Closed.WaitAsync(_options.RequestTimeout, cancellationToken);
    }

    /// <summary>
    /// Follows the messages arriving at the daemon from now on, like <c>journalctl -f</c>: those of
    /// <paramref name="listener"/> (all when null) whose text contains <paramref name="grep"/> (all when null).
    /// A follower that reads too slowly gets an event with <see cref="Tail.TailEvent.Skipped"/> instead of what it missed.
    /// Ends when the daemon stops.
    /// </summary>
    public async IAsyncEnumerable<Tail.TailEvent> TailAsync(string? listener = null, string? grep = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_options.Framing != MessageFraming.Native)
        {
            throw new InvalidOperationException($"Tail needs the native protocol; this client uses {_options.Framing} framing.");
        }

        var id = NextId();
        var frame = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WriteTail(frame, id, listener ?? string.Empty, grep ?? string.Empty);
        await foreach (var reply in _native!.StreamAsync(id, frame.WrittenMemory, cancellationToken))
        {
            yield return reply.Tail!;
        }
    }

    /// <summary>Sends what is buffered (without the native protocol, writes are buffered until a flush or a full batch).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_rawOutput is not null && (await _rawOutput.FlushAsync(cancellationToken)).IsCompleted)
        {
            throw new IOException($"the connection to {Endpoint} was closed by the other side");
        }
    }

    /// <summary>Flushes what is buffered, tells the server no more is coming, and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_spoolSender is not null)
        {
            await _spoolSender.DisposeAsync();
            _spool!.Dispose();
        }

        if (_native is not null)
        {
            await _native.DisposeAsync();
        }

        if (_rawSocket is not null)
        {
            try
            {
                await _rawOutput!.CompleteAsync();
                if (_rawStream is System.Net.Security.SslStream tls)
                {
                    await tls.ShutdownAsync();
                }

                _rawSocket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
                // The server is gone; there is nothing left to tell it.
            }
            finally
            {
                _rawSocket.Dispose();
                await _rawStream!.DisposeAsync();
            }
        }

        _connectLock.Dispose();
    }

    /// <summary>
    /// Connects to <paramref name="endpoint"/> (TLS for <c>tls://</c>, with the sender's TLS settings, else the system's roots) and negotiates
    /// the native protocol, the same way a client does: the way in for the spool sender and the daemon's <c>Forward</c>.
    /// </summary>
    internal static Task<NativeConnection> ConnectNativeAsync(SocketEndpoint endpoint, TimeSpan connectTimeout, CancellationToken cancellationToken) =>
        ConnectNativeAsync(endpoint, new SpoolSenderOptions { ConnectTimeout = connectTimeout }, cancellationToken);

    /// <inheritdoc cref="ConnectNativeAsync(SocketEndpoint, TimeSpan, CancellationToken)"/>
    internal static async Task<NativeConnection> ConnectNativeAsync(SocketEndpoint endpoint, SpoolSenderOptions sender, CancellationToken cancellationToken)
    {
        var client = new SocketDaemonClient(endpoint, new SocketDaemonClientOptions
        {
            ConnectTimeout = sender.ConnectTimeout,
            TlsCaFile = sender.TlsCaFile,
            TlsClientCertificate = sender.TlsClientCertificate,
            TlsServerName = sender.TlsServerName,
        });
        await client.OpenAsync(cancellationToken);
        return client._native!;
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        var socket = await ConnectSocketAsync(Endpoint, _options, cancellationToken);
        try
        {
            // Only TLS and the native preface wait for the server; the first timer of a process starts a thread.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (Endpoint.UseTls || _options.Framing == MessageFraming.Native)
            {
                timeout.CancelAfter(_options.ConnectTimeout);
            }

            Stream stream = Endpoint.UseTls
                ? await TlsClient.AuthenticateAsync(socket, Endpoint, _options, timeout.Token)
                : new NetworkStream(socket, ownsSocket: false);
            if (_options.Framing != MessageFraming.Native)
            {
                _rawSocket = socket;
                _rawStream = stream;
                _rawOutput = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
                return;
            }

            _native = await NativeConnection.OpenAsync(socket, Endpoint, timeout.Token, stream);
        }
        catch (Exception ex)
        {
            socket.Dispose();
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new SocketDaemonConnectException($"{Endpoint} did not answer the native-protocol preface within {_options.ConnectTimeout.TotalSeconds:0.#} s; is it a SocketDaemon?", ex);
            }

            throw;
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

    private async Task SendOneAsync(ReadOnlyMemory<char> text, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_spool is not null)
        {
            Spool(!text.IsEmpty || bytes.IsEmpty ? Encoding.UTF8.GetBytes(text.ToArray()) : bytes.ToArray());
            _spool.Commit();
            return;
        }

        if (_options.Framing != MessageFraming.Native)
        {
            if (!text.IsEmpty || bytes.IsEmpty)
            {
                WriteRaw(text.Span);
            }
            else
            {
                WriteRaw(bytes.Span);
            }

            await FlushAsync(cancellationToken);
            return;
        }

        var batch = NewBatch();
        if (!text.IsEmpty || bytes.IsEmpty)
        {
            batch.Builder.Add(text.Span);
        }
        else
        {
            batch.Builder.Add(bytes.Span);
        }

        ThrowIfRefused(await SendBatchAsync(batch, cancellationToken), 0);
    }

    private async Task<long> SpoolAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var message in messages.WithCancellation(cancellationToken))
        {
            Spool(Encoding.UTF8.GetBytes(message));
            count++;
        }

        _spool!.Commit();
        return count;
    }

    // A spooled message is an origin-batch entry without an origin: the daemon that receives it is where it starts.
    private void Spool(byte[] message)
    {
        var entry = new ArrayBufferWriter<byte>(message.Length + 8);
        NativeFrameWriter.WriteOriginEntry(entry, null, new ReadOnlySequence<byte>(message));
        _spool!.Append(entry.WrittenSpan);
    }

    private async Task<long> SendManyNativeAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<(Task<NativeReply> Reply, long FirstIndex)>();
        var refused = new List<(long Index, NativeErrorCode Code)>();
        long count = 0;
        var batch = NewBatch();
        await using var enumerator = messages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            // When the source has nothing ready, send what is gathered rather than make it wait for the next message.
            var next = enumerator.MoveNextAsync();
            if (!next.IsCompleted && batch.Builder.Count > 0)
            {
                await SendAsync(batch);
                batch = NewBatch();
            }

            if (!await next)
            {
                break;
            }

            batch.Builder.Add(enumerator.Current.AsSpan());
            count++;
            if (batch.Builder.Bytes >= _options.BatchBytes || batch.Builder.Count >= _options.BatchMessages)
            {
                await SendAsync(batch);
                batch = NewBatch();
            }
        }

        if (batch.Builder.Count > 0)
        {
            await SendAsync(batch);
        }

        while (inFlight.Count > 0)
        {
            await AwaitOldestAsync();
        }

        if (refused.Count > 0)
        {
            throw new SocketDaemonException(refused[0].Code, $"the daemon refused {refused.Count} of {count} messages, the first (#{refused[0].Index}) as {refused[0].Code}")
            {
                Refused = refused,
            };
        }

        return count;

        async Task SendAsync(Batch full)
        {
            // Bounded in flight: the oldest acknowledgement must come back before another batch goes out.
            if (inFlight.Count >= _options.MaxInFlightBatches)
            {
                await AwaitOldestAsync();
            }

            inFlight.Enqueue((SendBatchAsync(full, cancellationToken), count - full.Builder.Count));
        }

        async Task AwaitOldestAsync()
        {
            var (reply, first) = inFlight.Dequeue();
            foreach (var (index, code) in (await reply).Errors ?? [])
            {
                refused.Add((first + index, code));
            }
        }
    }

    private async Task<long> SendManyRawAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken)
    {
        long count = 0;
        await using var enumerator = messages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            var next = enumerator.MoveNextAsync();
            if (!next.IsCompleted && _rawOutput!.UnflushedBytes > 0)
            {
                await FlushAsync(cancellationToken);
            }

            if (!await next)
            {
                break;
            }

            WriteRaw(enumerator.Current);
            count++;
            if (_rawOutput!.UnflushedBytes >= _options.BatchBytes)
            {
                await FlushAsync(cancellationToken);
            }
        }

        await FlushAsync(cancellationToken);
        return count;
    }

    private void WriteRaw(ReadOnlySpan<char> text)
    {
        // Encoded once into a pooled buffer, then framed: one path for text and bytes.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            WriteRaw(buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void WriteRaw(ReadOnlySpan<byte> message)
    {
        switch (_options.Framing)
        {
            case MessageFraming.Seed:
                SeedFrameWriter.Write(message, _rawOutput!);
                break;
            case MessageFraming.Lines:
                LineFrameWriter.Write(message, _rawOutput!);
                break;
            default:
                OctetFrameWriter.Write(message, _rawOutput!);
                break;
        }
    }

    private Batch NewBatch()
    {
        // The buffer grows as messages come: sized for a full batch at once, a large BatchBytes would allocate (and zero)
        // up to a megabyte for every batch, however few messages it ends up holding.
        var buffer = new ArrayBufferWriter<byte>(Math.Min(_options.BatchBytes + 256, 64 * 1024));
        return new Batch(buffer, NativeFrameWriter.BeginBatch(buffer, NextId()));
    }

    private Task<NativeReply> SendBatchAsync(Batch batch, CancellationToken cancellationToken)
    {
        batch.Builder.Complete();
        return RequestAsync(batch.Builder.Sequence, batch.Buffer.WrittenMemory, cancellationToken);
    }

    private async Task<NativeReply> RequestAsync(NativeFrameType type, CancellationToken cancellationToken)
    {
        if (_options.Framing != MessageFraming.Native)
        {
            throw new InvalidOperationException($"{type} requests need the native protocol; this client uses {_options.Framing} framing.");
        }

        var id = NextId();
        var frame = new ArrayBufferWriter<byte>(NativeProtocol.FrameHeaderSize + sizeof(ulong));
        NativeFrameWriter.WriteIdFrame(frame, type, id);
        var reply = await RequestAsync(id, frame.WrittenMemory, cancellationToken);
        return reply.Type == NativeFrameType.Error
            ? throw new SocketDaemonException(reply.Code, $"the daemon refused: {reply.Message} ({reply.Code})")
            : reply;
    }

    private async Task<NativeReply> RequestAsync(ulong id, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var reconnectDeadline = DateTime.UtcNow + _options.ReconnectTimeout;
        for (var delay = TimeSpan.FromMilliseconds(100); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks)))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                var connection = await GetConnectionAsync(timeout.Token);
                return await connection.RequestAsync(id, frame, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{Endpoint} did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s");
            }
            catch (IOException) when (_options.Reconnect && !_disposed && DateTime.UtcNow + delay < reconnectDeadline)
            {
                // The connection broke before the answer came: this frame may or may not have been taken, so it is
                // sent again on a new connection. At least once, never lost.
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private async ValueTask<NativeConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        // A spooling client connects for requests only when it first makes one.
        if (_native is { IsOpen: true } open || (!_options.Reconnect && _native is not null))
        {
            return _native;
        }

        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            if (_native is { IsOpen: true } current)
            {
                return current;
            }

            if (_native is not null)
            {
                await _native.DisposeAsync();
            }

            _native = null;
            await OpenAsync(cancellationToken);
            return _native!;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private static void ThrowIfRefused(NativeReply reply, long firstIndex)
    {
        if (reply.Errors is [var (index, code), ..])
        {
            throw new SocketDaemonException(code, $"the daemon refused the message as {code}") { Refused = [(firstIndex + index, code)] };
        }
    }

    private ulong NextId() => (ulong)Interlocked.Increment(ref _lastId);

    private static async IAsyncEnumerable<string> AsAsync(IEnumerable<string> messages, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var message in messages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return message;
        }

        await Task.CompletedTask;
    }

    private sealed record Batch(ArrayBufferWriter<byte> Buffer, NativeBatchBuilder Builder);
}
