using System.Buffers;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// The receive buffers of one listener's connections: arrays of <see cref="ArrayPool{T}.Shared"/>, counted while rented,
/// so that "an idle connection holds no receive buffer" is something a test can see.
/// </summary>
internal sealed class ReceiveBufferPool : MemoryPool<byte>
{
    private long _rented;

    /// <summary>How many buffers the listener's connections hold right now.</summary>
    public long Rented => Volatile.Read(ref _rented);

    public override int MaxBufferSize => Array.MaxLength;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        var owner = new Owner(this, ArrayPool<byte>.Shared.Rent(minBufferSize < 0 ? SocketConnection.MinimumReceiveBytes : minBufferSize));
        Interlocked.Increment(ref _rented);
        return owner;
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Owner(ReceiveBufferPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(ReceiveBufferPool));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } array)
            {
                ArrayPool<byte>.Shared.Return(array);
                Interlocked.Decrement(ref pool._rented);
            }
        }
    }
}
