using System.Net.Sockets;

namespace SocketDaemon.Listeners.Internal;

/// <summary>The socket as a stream that notes how full its receives come back, which sizes the next buffer.</summary>
internal sealed class ReceiveStream(Socket socket, int maxReceiveBytes) : NetworkStream(socket, ownsSocket: false)
{
    /// <summary>How large the next receive buffer should be.</summary>
    public int NextReceiveBytes { get; private set; } = SocketConnection.MinimumReceiveBytes;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = base.ReadAsync(buffer, cancellationToken);

        // The zero-byte receive of an idle connection says nothing about the flow, and stays free of any wrapping.
        if (buffer.IsEmpty)
        {
            return read;
        }

        if (read.IsCompletedSuccessfully)
        {
            Note(read.Result, buffer.Length);
            return read;
        }

        return AwaitAsync(read, buffer.Length);
    }

    private async ValueTask<int> AwaitAsync(ValueTask<int> read, int room)
    {
        var received = await read;
        Note(received, room);
        return received;
    }

    private void Note(int received, int room)
    {
        if (received == room && room >= NextReceiveBytes)
        {
            NextReceiveBytes = Math.Min(NextReceiveBytes * 2, maxReceiveBytes);
        }
        else if (received < NextReceiveBytes / 2)
        {
            NextReceiveBytes = Math.Max(NextReceiveBytes / 2, SocketConnection.MinimumReceiveBytes);
        }
    }
}
