namespace SocketDaemon.Client.Spooling;

/// <summary>A run of consecutive spool records sent as one batch.</summary>
internal sealed record SpoolRange(ulong First, ulong Last);

/// <summary>What a <see cref="SpoolSender"/> knows of one upstream: its health, its session and what it still owes.</summary>
internal sealed class SpoolWorker(SocketEndpoint endpoint, int index)
{
    public SocketEndpoint Endpoint { get; } = endpoint;

    public int Index { get; } = index;

    public volatile bool Healthy;

    public volatile bool Attempted;

    public Guid Session { get; set; }

    public ulong LastSent { get; set; }

    public List<SpoolRange> Pending { get; } = [];

    /// <summary>Frame buffers of batches answered, for the next batches (used by the worker's own loop only).</summary>
    public Stack<System.Buffers.ArrayBufferWriter<byte>> Frames { get; } = new();
}
