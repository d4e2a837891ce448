using System.Buffers;
using SocketDaemon.Client.Framing;
using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Benchmarks;

/// <summary>Test input: a buffer of frames, as one segment or split into segments as a pipe would hand it over.</summary>
public static class Buffers
{
    public const int MessageSize = 64;
    public const int BufferSize = 64 * 1024;
    public const int SegmentSize = 4 * 1024;

    public static byte[] Message(int index)
    {
        var text = $"m{index:D8} ";
        var bytes = new byte[MessageSize];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = i < text.Length ? (byte)text[i] : (byte)('a' + (i % 26));
        }

        return bytes;
    }

    /// <summary>Whole frames of 64-byte messages filling at most <see cref="BufferSize"/> bytes.</summary>
    public static byte[] Frames(string framing, out int count)
    {
        var output = new ArrayBufferWriter<byte>(BufferSize + 1024);
        count = 0;
        if (framing == "native")
        {
            var batch = NativeFrameWriter.BeginBatch(output, 1);
            while (batch.Bytes + MessageSize + 4 < BufferSize)
            {
                batch.Add(Message(count++));
            }

            batch.Complete();
            return output.WrittenSpan.ToArray();
        }

        while (true)
        {
            var before = output.WrittenCount;
            var message = Message(count);
            switch (framing)
            {
                case "lines":
                    LineFrameWriter.Write(message, output);
                    break;
                case "seed":
                    SeedFrameWriter.Write(message, output);
                    break;
                default:
                    OctetFrameWriter.Write(message, output);
                    break;
            }

            if (output.WrittenCount > BufferSize)
            {
                return output.WrittenSpan[..before].ToArray();
            }

            count++;
        }
    }

    public static ReadOnlySequence<byte> Sequence(byte[] data, bool multiSegment)
    {
        if (!multiSegment)
        {
            return new ReadOnlySequence<byte>(data);
        }

        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < data.Length; offset += SegmentSize)
        {
            var memory = data.AsMemory(offset, Math.Min(SegmentSize, data.Length - offset));
            if (last is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last.Append(memory);
            }
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
