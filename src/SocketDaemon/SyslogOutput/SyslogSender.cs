using System.Net.Sockets;
using SocketDaemon.Client;
using SocketDaemon.Client.Sending;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.SyslogOutput;

/// <summary>
/// Sends what a <see cref="DiskSpool"/> holds (formatted syslog messages) to the first collector that is up, in spool
/// order, and acknowledges the spool once a batch is written and flushed to the connection (TCP, TLS) or sent as
/// datagrams (UDP): syslog has no application acknowledgement, so that is the most a sender can know.
/// </summary>
/// <remarks>
/// On a failure it reconnects with backoff and sends again from the first record not acknowledged: a batch that was
/// partly written when the connection broke may arrive twice. While idle it reads the connection, so that a collector
/// that closed it (a restart) is noticed before the next message is written into a dead connection.
/// </remarks>
internal sealed class SyslogSender : SpooledOutputSender
{
    private readonly SyslogOutputOptions _options;
    private readonly SocketDaemonClientOptions _connect;
    private readonly Action<SocketEndpoint, Exception> _onError;
    private long _truncated;
    private int _upstream;

    public SyslogSender(DiskSpool spool, SyslogOutputOptions options, System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate, Action<SocketEndpoint, Exception> onError)
        : base(spool)
    {
        _options = options;
        _onError = onError;
        _connect = new SocketDaemonClientOptions
        {
            TlsCaFile = options.Tls?.CaFile,
            TlsClientCertificate = clientCertificate,
            TlsServerName = options.Tls?.ServerName,
        };
    }

    /// <summary>UDP messages cut to <c>MaxDatagramBytes</c>.</summary>
    public long Truncated => Interlocked.Read(ref _truncated);

    // To the current collector; the next one after a failure.
    protected override async Task SendAsync(CancellationToken token)
    {
        var endpoint = _options.Upstreams[_upstream];
        if (endpoint.IsDatagram)
        {
            await SendDatagramsAsync(endpoint, token);
            return;
        }

        var (socket, stream) = await ClientConnector.ConnectRawAsync(endpoint, _connect, token);
        using (socket)
        await using (stream)
        {
            OnConnected();
            await SendStreamAsync(stream, token);
        }
    }

    // The backoff comes once every collector failed in turn.
    protected override bool OnFailed(Exception exception)
    {
        _onError(_options.Upstreams[_upstream], exception);
        _upstream = (_upstream + 1) % _options.Upstreams.Count;
        return _upstream == 0 || _options.Upstreams.Count == 1;
    }

    private async Task SendStreamAsync(Stream stream, CancellationToken token)
    {
        // A collector never writes: a completed read means it closed the connection (or broke it).
        var closed = stream.ReadAsync(new byte[1], token).AsTask();
        var buffer = new MemoryStream(64 * 1024);
        var octet = _options.Framing == SyslogFraming.Octet;
        var prefix = new byte[12];
        while (true)
        {
            var next = Spool.Acknowledged + 1;
            var records = Spool.Read(next, _options.BatchSize, 1 << 20);
            if (records.Count == 0)
            {
                var appended = Spool.WaitForAsync(next, token);
                await Task.WhenAny(appended, closed);
                token.ThrowIfCancellationRequested();
                if (closed.IsCompleted)
                {
                    throw new IOException("the collector closed the connection");
                }

                continue;
            }

            if (closed.IsCompleted)
            {
                throw new IOException("the collector closed the connection");
            }

            buffer.SetLength(0);
            foreach (var record in records)
            {
                if (octet)
                {
                    System.Buffers.Text.Utf8Formatter.TryFormat(record.Payload.Length, prefix, out var digits);
                    prefix[digits++] = (byte)' ';
                    buffer.Write(prefix, 0, digits);
                    buffer.Write(record.Payload);
                }
                else
                {
                    var start = (int)buffer.Length;
                    buffer.Write(record.Payload);
                    var written = buffer.GetBuffer().AsSpan(start, record.Payload.Length);
                    written.Replace((byte)'\n', (byte)' ');
                    buffer.WriteByte((byte)'\n');
                }
            }

            await stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), token);
            await stream.FlushAsync(token);
            Acknowledge(records[^1].Sequence, records.Count);
        }
    }

    private async Task SendDatagramsAsync(SocketEndpoint endpoint, CancellationToken token)
    {
        using var socket = new Socket(endpoint.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(endpoint.EndPoint, token);

        // The backoff stays: connecting a datagram socket says nothing of the collector.
        OnConnected(resetBackoff: false);
        while (true)
        {
            var next = Spool.Acknowledged + 1;
            var records = Spool.Read(next, _options.BatchSize, 1 << 20);
            if (records.Count == 0)
            {
                await Spool.WaitForAsync(next, token);
                continue;
            }

            foreach (var record in records)
            {
                var length = record.Payload.Length;
                if (length > _options.MaxDatagramBytes)
                {
                    length = _options.MaxDatagramBytes;
                    Interlocked.Increment(ref _truncated);
                }

                await socket.SendAsync(record.Payload.AsMemory(0, length), SocketFlags.None, token);
            }

            Acknowledge(records[^1].Sequence, records.Count);
        }
    }
}
