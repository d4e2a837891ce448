using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using SocketDaemon.Client.Framing;

namespace SocketDaemon.Client.Sending;

/// <summary>
/// Sends with a raw framing (seed, lines, octet counting) to any server that reads it: writes are buffered and a send
/// completes when its bytes are written; nothing is acknowledged.
/// </summary>
internal sealed class RawSender : IMessageSender
{
    private readonly SocketEndpoint _endpoint;
    private readonly SocketDaemonClientOptions _options;
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeWriter _output;

    private RawSender(SocketEndpoint endpoint, SocketDaemonClientOptions options, Socket socket, Stream stream)
    {
        _endpoint = endpoint;
        _options = options;
        _socket = socket;
        _stream = stream;
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public static async Task<RawSender> ConnectAsync(SocketEndpoint endpoint, SocketDaemonClientOptions options, CancellationToken cancellationToken)
    {
        var (socket, stream) = await ClientConnector.ConnectRawAsync(endpoint, options, cancellationToken);
        return new RawSender(endpoint, options, socket, stream);
    }

    public async Task SendOneAsync(ReadOnlyMemory<char> text, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (!text.IsEmpty || bytes.IsEmpty)
        {
            Write(text.Span);
        }
        else
        {
            Write(bytes.Span);
        }

        await FlushAsync(cancellationToken);
    }

    public Task<long> SendManyAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken) =>
        SendManyAsync(messages, static (sender, message) => sender.Write(message), cancellationToken);

    public Task<long> SendManyAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken) =>
        SendManyAsync(messages, static (sender, message) => sender.Write(message.Span), cancellationToken);

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if ((await _output.FlushAsync(cancellationToken)).IsCompleted)
        {
            throw new IOException($"the connection to {_endpoint} was closed by the other side");
        }
    }

    // Nothing is acknowledged without the native protocol: written is as far as a send goes.
    public Task WaitUntilDeliveredAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _output.CompleteAsync();
            if (_stream is System.Net.Security.SslStream tls)
            {
                await tls.ShutdownAsync();
            }

            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            // The server is gone; there is nothing left to tell it.
        }
        finally
        {
            _socket.Dispose();
            await _stream.DisposeAsync();
        }
    }

    private async Task<long> SendManyAsync<T>(IAsyncEnumerable<T> messages, Action<RawSender, T> write, CancellationToken cancellationToken)
    {
        long count = 0;
        await using var enumerator = messages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            var next = enumerator.MoveNextAsync();
            if (!next.IsCompleted && _output.UnflushedBytes > 0)
            {
                await FlushAsync(cancellationToken);
            }

            if (!await next)
            {
                break;
            }

            write(this, enumerator.Current);
            count++;
            if (_output.UnflushedBytes >= _options.BatchBytes)
            {
                await FlushAsync(cancellationToken);
            }
        }

        await FlushAsync(cancellationToken);
        return count;
    }

    private void Write(ReadOnlySpan<char> text)
    {
        // Encoded once into a pooled buffer, then framed: one path for text and bytes.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            Write(buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Write(ReadOnlySpan<byte> message)
    {
        switch (_options.Framing)
        {
            case MessageFraming.Seed:
                SeedFrameWriter.Write(message, _output);
                break;
            case MessageFraming.Lines:
                LineFrameWriter.Write(message, _output);
                break;
            default:
                OctetFrameWriter.Write(message, _output);
                break;
        }
    }
}
