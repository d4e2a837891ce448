using System.Buffers;
using System.Collections.Concurrent;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// The full-size chunks (<see cref="MessageLogWriter.ChunkBytes"/>) of one writer, kept between uses. A busy writer has
/// up to two queues' worth of them in flight (queued, and being written), more than <see cref="ArrayPool{T}.Shared"/>
/// keeps of one size (32 per core): with the shared pool every other chunk was a new array, about 100 bytes allocated
/// per message, a gen1 or gen2 collection every few hundred milliseconds for chunks that outlived gen0 in the queue,
/// and the kernel copying lines out of freshly mapped memory. Smaller chunks (connections that send a little) still
/// come from the shared pool. Lock-free: connections rent, the writer's loop returns.
/// </summary>
internal sealed class LogChunkPool(int capacity)
{
    private readonly ConcurrentQueue<byte[]> _chunks = new();
    private int _count;

    /// <summary>How many chunks the pool holds now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes; give it back with <see cref="Return"/>.</summary>
    public byte[] Rent(int minimumLength)
    {
        if (minimumLength <= MessageLogWriter.ChunkBytes / 2 || minimumLength > MessageLogWriter.ChunkBytes)
        {
            return ArrayPool<byte>.Shared.Rent(minimumLength);
        }

        if (_chunks.TryDequeue(out var chunk))
        {
            Interlocked.Decrement(ref _count);
            return chunk;
        }

        return GC.AllocateUninitializedArray<byte>(MessageLogWriter.ChunkBytes);
    }

    /// <summary>Takes back an array from <see cref="Rent"/> (or from <see cref="ArrayPool{T}.Shared"/>).</summary>
    public void Return(byte[] chunk)
    {
        if (chunk.Length == MessageLogWriter.ChunkBytes)
        {
            if (Interlocked.Increment(ref _count) <= capacity)
            {
                _chunks.Enqueue(chunk);
                return;
            }

            Interlocked.Decrement(ref _count);
        }

        ArrayPool<byte>.Shared.Return(chunk);
    }
}
