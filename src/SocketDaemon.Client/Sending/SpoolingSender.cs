using System.Buffers;
using System.Text;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Spooling;

namespace SocketDaemon.Client.Sending;

/// <summary>
/// Sends through a <see cref="DiskSpool"/>: a send completes once the message is in the spool, and a background
/// <see cref="SpoolSender"/> delivers it, reconnecting, with the daemon's sessions making that exactly once.
/// </summary>
internal sealed class SpoolingSender : IMessageSender
{
    private readonly DiskSpool _spool;
    private readonly SpoolSender _sender;

    // One buffer frames every entry, one at a time: sends may come from several threads at once.
    private readonly ArrayBufferWriter<byte> _entry = new(1024);
    private readonly Lock _appendLock = new();

    public SpoolingSender(SocketEndpoint endpoint, SocketDaemonClientOptions options, string directory)
    {
        // The spool sender makes its own connections, and keeps trying: the daemon may be down while the client starts.
        _spool = DiskSpool.Open(directory, new DiskSpoolOptions { MaxBytes = options.SpoolMaxBytes });
        _sender = new SpoolSender(
            _spool,
            [endpoint],
            new SpoolSenderOptions
            {
                BatchMessages = options.BatchMessages,
                BatchBytes = options.BatchBytes,
                MaxInFlightBatches = options.MaxInFlightBatches,
                ConnectTimeout = options.ConnectTimeout,
                TlsCaFile = options.TlsCaFile,
                TlsClientCertificate = options.TlsClientCertificate,
                TlsServerName = options.TlsServerName,
            });
        _sender.Start();
    }

    public Task SendOneAsync(ReadOnlyMemory<char> text, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Append(!text.IsEmpty || bytes.IsEmpty ? Encoding.UTF8.GetBytes(text.ToArray()) : bytes);
        _spool.Commit();
        return Task.CompletedTask;
    }

    public Task<long> SendManyAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken) =>
        SendManyAsync(messages, static (sender, message) => sender.Append(Encoding.UTF8.GetBytes(message)), cancellationToken);

    public Task<long> SendManyAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken) =>
        SendManyAsync(messages, static (sender, message) => sender.Append(message), cancellationToken);

    // Every send is committed to the spool before it completes.
    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task WaitUntilDeliveredAsync(CancellationToken cancellationToken) =>
        _sender.WaitForAcknowledgedAsync(_spool.NextSequence - 1).WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _sender.DisposeAsync();
        _spool.Dispose();
    }

    private async Task<long> SendManyAsync<T>(IAsyncEnumerable<T> messages, Action<SpoolingSender, T> append, CancellationToken cancellationToken)
    {
        long count = 0;
        await using var enumerator = messages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            // A group commit: when the source has nothing ready, what is appended is made durable before waiting.
            var next = enumerator.MoveNextAsync();
            if (!next.IsCompleted)
            {
                _spool.Commit();
            }

            if (!await next)
            {
                break;
            }

            append(this, enumerator.Current);
            count++;
        }

        _spool.Commit();
        return count;
    }

    // A spooled message is an origin-batch entry without an origin: the daemon that receives it is where it starts.
    private void Append(ReadOnlyMemory<byte> message)
    {
        lock (_appendLock)
        {
            _entry.ResetWrittenCount();
            NativeFrameWriter.WriteOriginEntry(_entry, null, new ReadOnlySequence<byte>(message));
            _spool.Append(_entry.WrittenSpan);
        }
    }
}
