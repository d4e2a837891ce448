namespace SocketDaemon.Client.Sending;

/// <summary>
/// How a <see cref="SocketDaemonClient"/> sends: one implementation per mode (native protocol, raw framing, spool),
/// chosen once when the client connects, so that the client's public methods never ask which mode they are in.
/// </summary>
internal interface IMessageSender : IAsyncDisposable
{
    /// <summary>Sends one message: <paramref name="text"/> unless it is empty and <paramref name="bytes"/> is not.</summary>
    Task SendOneAsync(ReadOnlyMemory<char> text, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>Sends messages as the source yields them, in batches; returns how many.</summary>
    Task<long> SendManyAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken);

    /// <summary>Sends messages of raw bytes as the source yields them, each read before the next is asked for; returns how many.</summary>
    Task<long> SendManyAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken);

    /// <summary>Writes out what is buffered.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Completes when everything sent so far is acknowledged by the daemon.</summary>
    Task WaitUntilDeliveredAsync(CancellationToken cancellationToken);
}
