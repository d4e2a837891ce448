using System.Buffers.Binary;

namespace SocketDaemon.Logging;

/// <summary>
/// The bounded queue between the threads that log and the background sender: entries are copied, already framed,
/// into reused chunks of bytes, so that queuing one costs a lock and a copy and allocates nothing; the sender takes a
/// chunk at a time. At most <c>limit</c> entries wait; past that the oldest (or the new one) is dropped and counted.
/// </summary>
internal sealed class EntryBuffer(int limit, bool dropOldest)
{
    /// <summary>The size of a chunk: a native batch's worth (the client's default batch is 64 KiB), under the large object heap's threshold.</summary>
    public const int ChunkBytes = 64 * 1024;

    // Chunks kept for reuse: enough for the batches a sender has on its hands, not a full queue's worth.
    private const int MaxFreeChunks = 32;

    private readonly Lock _lock = new();
    private readonly Queue<EntryChunk> _full = new();
    private readonly Stack<EntryChunk> _free = new();
    private EntryChunk? _front;
    private EntryChunk? _tail;
    private TaskCompletionSource? _waiter;
    private int _count;
    private long _dropped;
    private bool _completed;

    /// <summary>How many entries were dropped: the queue was full, or the provider closed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Whether no more entries will come and none is left.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed && _count == 0;
            }
        }
    }

    /// <summary>Queues an entry, framed (<c>u32 length</c>, then its bytes); never blocks.</summary>
    public void Write(ReadOnlySpan<byte> framed)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (_completed || (_count >= limit && !(dropOldest && TryDropOldest())))
            {
                Interlocked.Increment(ref _dropped);
                return;
            }

            var tail = _tail;
            if (tail is null || tail.Buffer.Length - tail.Length < framed.Length)
            {
                if (tail is { Count: > 0 })
                {
                    _full.Enqueue(tail);
                }
                else if (tail is not null)
                {
                    Free(tail);
                }

                _tail = tail = Rent(framed.Length);
            }

            framed.CopyTo(tail.Buffer.AsSpan(tail.Length));
            tail.Length += framed.Length;
            tail.Count++;
            _count++;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>Takes the oldest chunk with entries (the one being written to when there is no other), or null.</summary>
    public EntryChunk? TryTake()
    {
        lock (_lock)
        {
            EntryChunk? chunk;
            if (_front is not null)
            {
                chunk = _front;
                _front = null;
            }
            else if (!_full.TryDequeue(out chunk))
            {
                if (_tail is not { Count: > 0 })
                {
                    return null;
                }

                chunk = _tail;
                _tail = null;
            }

            _count -= chunk.Count;
            return chunk;
        }
    }

    /// <summary>Puts back, first in line, a chunk the sender took but did not send all of (its connection broke).</summary>
    public void PutBack(EntryChunk chunk)
    {
        lock (_lock)
        {
            if (_front is not null)
            {
                throw new InvalidOperationException("one sender at a time takes from the queue");
            }

            _front = chunk;
            _count += chunk.Count;
        }
    }

    /// <summary>Gives a chunk whose entries are all sent back for reuse.</summary>
    public void Recycle(EntryChunk chunk)
    {
        lock (_lock)
        {
            Free(chunk);
        }
    }

    /// <summary>Completes when there is an entry to take or no more will come.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_count > 0 || _completed)
            {
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes no more entries; those queued are still taken.</summary>
    public void Complete()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _completed = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    private bool TryDropOldest()
    {
        var oldest = _front ?? (_full.Count > 0 ? _full.Peek() : _tail);
        if (oldest is not { Count: > 0 })
        {
            return false;
        }

        oldest.Head += sizeof(int) + BinaryPrimitives.ReadInt32BigEndian(oldest.Buffer.AsSpan(oldest.Head));
        oldest.Count--;
        _count--;
        Interlocked.Increment(ref _dropped);
        if (oldest.Count == 0)
        {
            if (ReferenceEquals(oldest, _front))
            {
                _front = null;
                Free(oldest);
            }
            else if (ReferenceEquals(oldest, _tail))
            {
                oldest.Reset();
            }
            else
            {
                Free(_full.Dequeue());
            }
        }

        return true;
    }

    private EntryChunk Rent(int size) =>
        size <= ChunkBytes && _free.TryPop(out var chunk) ? chunk : new EntryChunk(Math.Max(size, ChunkBytes));

    private void Free(EntryChunk chunk)
    {
        chunk.Reset();
        if (chunk.Buffer.Length == ChunkBytes && _free.Count < MaxFreeChunks)
        {
            _free.Push(chunk);
        }
    }
}
