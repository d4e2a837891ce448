using System.Buffers;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// The lines one connection has formatted for one log file and not handed to its writer yet: a pooled chunk
/// that fills without locks (only its connection touches it) and goes to the writer whole.
/// </summary>
internal sealed class StagedLogChunk(MessageLogWriter writer)
{
    private byte[]? _chunk;
    private int _length;

    public MessageLogWriter Writer { get; } = writer;

    public bool IsEmpty => _length == 0;

    /// <summary>Whether <paramref name="bytes"/> more fit without handing over first.</summary>
    public bool HasRoom(int bytes) => _length == 0 || _chunk!.Length - _length >= bytes;

    /// <summary>Room for at least <paramref name="bytes"/>; call <see cref="Advance"/> with what was written.</summary>
    public Span<byte> GetSpan(int bytes)
    {
        if (_chunk is null || _chunk.Length - _length < bytes)
        {
            // Only on an empty chunk (HasRoom said so): a line longer than a chunk gets a chunk of its own.
            _chunk ??= ArrayPool<byte>.Shared.Rent(Math.Max(MessageLogWriter.ChunkBytes, bytes));
            if (_chunk.Length < bytes)
            {
                ArrayPool<byte>.Shared.Return(_chunk);
                _chunk = ArrayPool<byte>.Shared.Rent(bytes);
            }
        }

        return _chunk.AsSpan(_length);
    }

    public void Advance(int bytes) => _length += bytes;

    /// <summary>Queues the lines to the writer (waiting while its queue is full) and starts an empty chunk.</summary>
    public ValueTask HandOverAsync()
    {
        if (_length == 0)
        {
            return ValueTask.CompletedTask;
        }

        var chunk = _chunk!;
        var length = _length;
        _chunk = null;
        _length = 0;
        return Writer.EnqueueAsync(chunk, length);
    }
}
