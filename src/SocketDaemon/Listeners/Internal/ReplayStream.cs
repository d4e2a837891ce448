namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// Reads <paramref name="replay"/> first, then <paramref name="inner"/>: a connection taken back from systemd's store
/// starts with the bytes the previous run had already read from it.
/// </summary>
internal sealed class ReplayStream(ReadOnlyMemory<byte> replay, Stream inner) : Stream
{
    private ReadOnlyMemory<byte> _replay = replay;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_replay.IsEmpty)
        {
            return inner.Read(buffer);
        }

        var length = Math.Min(buffer.Length, _replay.Length);
        _replay.Span[..length].CopyTo(buffer);
        _replay = _replay[length..];
        return length;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _replay.IsEmpty ? inner.ReadAsync(buffer, cancellationToken) : ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
