using System.Buffers;
using System.Text;
using SocketDaemon.Framing;

namespace SocketDaemon.Tests.Framing;

/// <summary>Runs a reader over a whole input the way a connection does, including the end of the stream.</summary>
internal static class FrameReading
{
    public static List<string> ReadAll(FrameReader reader, ReadOnlySequence<byte> input, bool final = true)
    {
        var messages = new List<string>();
        while (reader.TryRead(ref input, out var message))
        {
            messages.Add(Encoding.UTF8.GetString(message));
        }

        if (final && !input.IsEmpty)
        {
            messages.Add(Encoding.UTF8.GetString(reader.ReadFinal(input)));
        }

        return messages;
    }
}
