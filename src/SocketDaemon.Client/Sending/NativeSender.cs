using System.Buffers;
using SocketDaemon.Client.Internal;
using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Client.Sending;

/// <summary>
/// Sends over the native protocol: batches acknowledged by the daemon, up to
/// <see cref="SocketDaemonClientOptions.MaxInFlightBatches"/> in flight, reconnecting when the options say so.
/// Also the way a client makes requests (status, quit, tail), whatever mode its sends use.
/// </summary>
internal sealed class NativeSender(SocketEndpoint endpoint, SocketDaemonClientOptions options) : IMessageSender
{
    // Room past BatchBytes for the last message of a batch; a 64 KiB batch's buffer stays off the large object heap.
    private const int BatchHeadroom = 4096;

    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly Stack<ArrayBufferWriter<byte>> _buffers = new();
    private NativeConnection? _connection;
    private long _lastId;
    private bool _disposed;

    /// <summary>Closes when the current connection closes.</summary>
    public Task Closed => _connection?.Closed ?? Task.CompletedTask;

    /// <summary>Connects now, rather than at the first request.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken) =>
        _connection = await ClientConnector.ConnectNativeAsync(endpoint, options, cancellationToken);

    public async Task SendOneAsync(ReadOnlyMemory<char> text, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var batch = NewBatch();
        if (!text.IsEmpty || bytes.IsEmpty)
        {
            batch.Builder.Add(text.Span);
        }
        else
        {
            batch.Builder.Add(bytes.Span);
        }

        var reply = await SendBatchAsync(batch, cancellationToken);
        Recycle(batch);
        if (reply.Errors is [var (index, code), ..])
        {
            throw new SocketDaemonException(code, $"the daemon refused the message as {code}") { Refused = [(index, code)] };
        }
    }

    public Task<long> SendManyAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken) =>
        SendManyAsync(messages, static (builder, message) => builder.Add(message.AsSpan()), cancellationToken);

    public Task<long> SendManyAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken) =>
        SendManyAsync(messages, static (builder, message) => builder.Add(message.Span), cancellationToken);

    // Every send completes only when acknowledged: nothing is buffered.
    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task WaitUntilDeliveredAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Sends a request frame of <paramref name="type"/> (status, quit) and returns the daemon's answer.</summary>
    /// <exception cref="SocketDaemonException">The daemon refused the request.</exception>
    public async Task<NativeReply> RequestAsync(NativeFrameType type, CancellationToken cancellationToken)
    {
        var id = NextId();
        var frame = new ArrayBufferWriter<byte>(NativeProtocol.FrameHeaderSize + sizeof(ulong));
        NativeFrameWriter.WriteIdFrame(frame, type, id);
        var reply = await RequestAsync(id, frame.WrittenMemory, cancellationToken);
        return reply.Type == NativeFrameType.Error
            ? throw new SocketDaemonException(reply.Code, $"the daemon refused: {reply.Message} ({reply.Code})")
            : reply;
    }

    /// <summary>Follows the daemon's messages: the frames of a tail request as they come.</summary>
    public async IAsyncEnumerable<NativeReply> TailAsync(string listener, string grep, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = NextId();
        var frame = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WriteTail(frame, id, listener, grep);
        var connection = await GetConnectionAsync(cancellationToken);
        await foreach (var reply in connection.StreamAsync(id, frame.WrittenMemory, cancellationToken))
        {
            yield return reply;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _connectLock.Dispose();
    }

    private async Task<long> SendManyAsync<T>(IAsyncEnumerable<T> messages, Action<NativeBatchBuilder, T> add, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<(Task<NativeReply> Reply, long FirstIndex, Batch Batch)>();
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

            add(batch.Builder, enumerator.Current);
            count++;
            if (batch.Builder.Bytes >= options.BatchBytes || batch.Builder.Count >= options.BatchMessages)
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
            if (inFlight.Count >= options.MaxInFlightBatches)
            {
                await AwaitOldestAsync();
            }

            inFlight.Enqueue((SendBatchAsync(full, cancellationToken), count - full.Builder.Count, full));
        }

        async Task AwaitOldestAsync()
        {
            var (reply, first, sent) = inFlight.Dequeue();
            var errors = (await reply).Errors;
            Recycle(sent);
            foreach (var (index, code) in errors ?? [])
            {
                refused.Add((first + index, code));
            }
        }
    }

    private Batch NewBatch()
    {
        // A buffer whose batch was acknowledged is used again. A new one grows as messages come: sized for a full batch
        // at once, a large BatchBytes would allocate (and zero) up to a megabyte for every batch, however few it holds.
        ArrayBufferWriter<byte>? buffer;
        lock (_buffers)
        {
            _buffers.TryPop(out buffer);
        }

        buffer ??= new ArrayBufferWriter<byte>(Math.Min(options.BatchBytes, 64 * 1024) + BatchHeadroom);
        return new Batch(buffer, NativeFrameWriter.BeginBatch(buffer, NextId()));
    }

    // Only once the daemon has acknowledged a batch is its buffer no longer needed: a reconnect sends it again.
    private void Recycle(Batch batch)
    {
        batch.Buffer.ResetWrittenCount();
        lock (_buffers)
        {
            if (_buffers.Count <= options.MaxInFlightBatches)
            {
                _buffers.Push(batch.Buffer);
            }
        }
    }

    private Task<NativeReply> SendBatchAsync(Batch batch, CancellationToken cancellationToken)
    {
        batch.Builder.Complete();
        return RequestAsync(batch.Builder.Sequence, batch.Buffer.WrittenMemory, cancellationToken);
    }

    private async Task<NativeReply> RequestAsync(ulong id, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var reconnectDeadline = DateTime.UtcNow + options.ReconnectTimeout;
        for (var delay = TimeSpan.FromMilliseconds(100); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks)))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            try
            {
                var connection = await GetConnectionAsync(timeout.Token);
                return await connection.RequestAsync(id, frame, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{endpoint} did not answer within {options.RequestTimeout.TotalSeconds:0.#} s");
            }
            catch (IOException) when (options.Reconnect && !_disposed && DateTime.UtcNow + delay < reconnectDeadline)
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
        if (_connection is { IsOpen: true } open || (!options.Reconnect && _connection is not null))
        {
            return _connection;
        }

        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true } current)
            {
                return current;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }

            _connection = null;
            await OpenAsync(cancellationToken);
            return _connection!;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private ulong NextId() => (ulong)Interlocked.Increment(ref _lastId);

    private sealed record Batch(ArrayBufferWriter<byte> Buffer, NativeBatchBuilder Builder);
}
