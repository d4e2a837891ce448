namespace SocketDaemon.Logging;

/// <summary>
/// A run of queued entries in one buffer, each as the native protocol frames a message in a batch:
/// <c>u32 length</c> (big-endian), then the message's bytes.
/// </summary>
internal sealed class EntryChunk(int size)
{
    // Not zeroed: every byte is written before it is read.
    public byte[] Buffer { get; } = GC.AllocateUninitializedArray<byte>(size);

    /// <summary>Where the first entry not yet sent (nor dropped) starts.</summary>
    public int Head { get; set; }

    /// <summary>How many bytes are written.</summary>
    public int Length { get; set; }

    /// <summary>How many entries there are from <see cref="Head"/> on.</summary>
    public int Count { get; set; }

    public void Reset()
    {
        Head = 0;
        Length = 0;
        Count = 0;
    }
}
