namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// The lines one connection has formatted for one log file and not handed to its writer yet: a pooled chunk
/// that fills without locks (only its connection touches it) and goes to the writer whole.
/// </summary>
internal sealed class StagedLogChunk(MessageLogWriter writer)
{
    private const int InitialBytes = 512;

    private byte[]? _chunk;
    private int _length;

    // The size the last chunk grew to: a connection that reads much at a time starts there, instead of growing
    // (and copying) from InitialBytes again for every read.
    private int _lastSize = InitialBytes;

    /// <summary>The writer the lines go to; a templated step's connection moves it to another file only while nothing is staged.</summary>
    public MessageLogWriter Writer { get; set; } = writer;

    public bool IsEmpty => _length == 0;

    /// <summary>Whether <paramref name="bytes"/> more fit (growing the chunk up to <see cref="MessageLogWriter.ChunkBytes"/>) without handing over first.</summary>
    public bool HasRoom(int bytes) => _length == 0 || _length + bytes <= Math.Max(_chunk!.Length, MessageLogWriter.ChunkBytes);

    /// <summary>Room for at least <paramref name="bytes"/>; call <see cref="Advance"/> with what was written.</summary>
    public Span<byte> GetSpan(int bytes)
    {
        // Chunks start small and double: a connection that sent one line should not take 64 KiB from the pool
        // (with thousands of such connections the pool runs dry and the GC heap grows instead).
        if (_chunk is null)
        {
            _chunk = Writer.Chunks.Rent(Math.Max(_lastSize, bytes));
        }
        else if (_chunk.Length - _length < bytes)
        {
            var larger = Writer.Chunks.Rent(Math.Max(_chunk.Length * 2, _length + bytes));
            _chunk.AsSpan(0, _length).CopyTo(larger);
            Writer.Chunks.Return(_chunk);
            _chunk = larger;
        }

        return _chunk.AsSpan(_length);
    }

    public void Advance(int bytes) => _length += bytes;

    /// <summary>
    /// Queues the lines to the writer (waiting while its queue is full), with what they prove once written
    /// (<paramref name="claim"/>), and starts an empty chunk.
    /// </summary>
    public ValueTask HandOverAsync(LogClaim? claim = null)
    {
        if (_length == 0)
        {
            return ValueTask.CompletedTask;
        }

        var chunk = _chunk!;
        var length = _length;
        _lastSize = Math.Min(chunk.Length, MessageLogWriter.ChunkBytes);
        _chunk = null;
        _length = 0;
        return Writer.EnqueueAsync(chunk, length, claim);
    }
}
