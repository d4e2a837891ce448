using System.Buffers;

namespace SocketDaemon.Transport;

/// <summary>
/// The receive buffers of one listener's connections: arrays of <see cref="ArrayPool{T}.Shared"/>, counted while rented,
/// so that "an idle connection holds no receive buffer" is something a test can see.
/// </summary>
internal sealed class ReceiveBufferPool
{
    private long _rented;

    /// <summary>How many buffers the listener's connections hold right now.</summary>
    public long Rented => Volatile.Read(ref _rented);

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes; give it back with <see cref="Return"/>.</summary>
    public byte[] Rent(int minimumLength)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(minimumLength);
        Interlocked.Increment(ref _rented);
        return buffer;
    }

    public void Return(byte[] buffer)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        Interlocked.Decrement(ref _rented);
    }
}
