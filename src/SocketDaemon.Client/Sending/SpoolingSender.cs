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
        Append(!text.IsEmpty || bytes.IsEmpty ? Encoding.UTF8.GetBytes(text.ToArray()) : bytes.ToArray());
        _spool.Commit();
        return Task.CompletedTask;
    }

    public async Task<long> SendManyAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var message in messages.WithCancellation(cancellationToken))
        {
            Append(Encoding.UTF8.GetBytes(message));
            count++;
        }

        _spool.Commit();
        return count;
    }

    // Every send is committed to the spool before it completes.
    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task WaitUntilDeliveredAsync(CancellationToken cancellationToken) =>
        _sender.WaitForAcknowledgedAsync(_spool.NextSequence - 1).WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _sender.DisposeAsync();
        _spool.Dispose();
    }

    // A spooled message is an origin-batch entry without an origin: the daemon that receives it is where it starts.
    private void Append(byte[] message)
    {
        var entry = new ArrayBufferWriter<byte>(message.Length + 8);
        NativeFrameWriter.WriteOriginEntry(entry, null, new ReadOnlySequence<byte>(message));
        _spool.Append(entry.WrittenSpan);
    }
}
