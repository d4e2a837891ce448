using System.Net.Sockets;

namespace SocketDaemon.Transport;

/// <summary>
/// The socket as a write-only stream, for the connection's pipe writer. Not a <see cref="NetworkStream"/>, which refuses
/// the non-blocking socket that <see cref="SocketPipeReader"/> reads: sends are asynchronous whatever the socket's mode.
/// </summary>
internal sealed class SocketSendStream(Socket socket) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            while (!buffer.IsEmpty)
            {
                buffer = buffer[await socket.SendAsync(buffer, SocketFlags.None, cancellationToken)..];
            }
        }
        catch (SocketException ex)
        {
            // As NetworkStream reports it: connections treat an IOException over a SocketException as the peer gone.
            throw new IOException($"Unable to write data to the transport connection: {ex.Message}", ex);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
