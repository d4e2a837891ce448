using System.Buffers;
using SocketDaemon.Fuzz;

namespace SocketDaemon.Tests.Framing;

/// <summary>Builds multi-segment sequences, as a pipe hands them out after several small reads.</summary>
internal static class SequenceFactory
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        if (cuts.Length == 0)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var points = cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().ToList();
        points.Add(bytes.Length);
        BufferSegment? first = null;
        BufferSegment? last = null;
        var start = 0;
        foreach (var end in points)
        {
            var memory = bytes.AsMemory(start, end - start);
            if (first is null)
            {
                first = last = new BufferSegment(memory, 0);
            }
            else
            {
                last = last!.Append(memory);
            }

            start = end;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    /// <summary>One byte per segment: the worst a pipe can do.</summary>
    public static ReadOnlySequence<byte> ByteByByte(byte[] bytes) => Split(bytes, [.. Enumerable.Range(1, Math.Max(0, bytes.Length - 1))]);
}
