using System.Buffers.Binary;

namespace SocketDaemon.Logging;

/// <summary>
/// The queued entries as the client's <c>SendManyAsync</c> takes them: each a slice of the chunk it is queued in,
/// valid until the next is asked for (the client has copied it into its batch by then), when a chunk that is done
/// goes back for reuse. Waits when the queue is empty; ends when the queue is completed and empty.
/// </summary>
internal sealed class EntryReader(EntryBuffer entries) : IAsyncEnumerable<ReadOnlyMemory<byte>>
{
    public IAsyncEnumerator<ReadOnlyMemory<byte>> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new Enumerator(entries, cancellationToken);

    private sealed class Enumerator(EntryBuffer entries, CancellationToken cancellationToken) : IAsyncEnumerator<ReadOnlyMemory<byte>>
    {
        private EntryChunk? _chunk;
        private int _offset;
        private int _left;

        public ReadOnlyMemory<byte> Current { get; private set; }

        public ValueTask<bool> MoveNextAsync()
        {
            if (TryMove())
            {
                return new ValueTask<bool>(true);
            }

            return entries.IsCompleted ? new ValueTask<bool>(false) : new ValueTask<bool>(WaitAndMoveAsync());
        }

        public ValueTask DisposeAsync()
        {
            // What was taken but not handed out goes back first in line, for the sender's next connection.
            if (_chunk is not null)
            {
                if (_left > 0)
                {
                    _chunk.Head = _offset;
                    _chunk.Count = _left;
                    entries.PutBack(_chunk);
                }
                else
                {
                    entries.Recycle(_chunk);
                }

                _chunk = null;
            }

            return ValueTask.CompletedTask;
        }

        private async Task<bool> WaitAndMoveAsync()
        {
            while (true)
            {
                await entries.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (TryMove())
                {
                    return true;
                }

                if (entries.IsCompleted)
                {
                    return false;
                }
            }
        }

        private bool TryMove()
        {
            if (_left == 0)
            {
                if (_chunk is not null)
                {
                    entries.Recycle(_chunk);
                }

                _chunk = entries.TryTake();
                if (_chunk is null)
                {
                    return false;
                }

                _offset = _chunk.Head;
                _left = _chunk.Count;
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(_chunk!.Buffer.AsSpan(_offset));
            Current = _chunk.Buffer.AsMemory(_offset + sizeof(int), length);
            _offset += sizeof(int) + length;
            _left--;
            return true;
        }
    }
}
