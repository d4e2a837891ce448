using System.Buffers;

namespace SocketDaemon.Fuzz;

/// <summary>One segment of a multi-segment sequence, as a pipe hands them out after several reads.</summary>
public sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    /// <summary>A segment over <paramref name="memory"/> that starts <paramref name="runningIndex"/> bytes into its sequence.</summary>
    public BufferSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Links a segment over <paramref name="memory"/> after this one and returns it.</summary>
    public BufferSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new BufferSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
