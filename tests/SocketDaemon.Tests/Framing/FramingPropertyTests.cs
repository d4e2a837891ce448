using System.Buffers;
using CsCheck;
using SocketDaemon.Client.Framing;
using SocketDaemon.Framing;

namespace SocketDaemon.Tests.Framing;

/// <summary>Properties every decoder of untrusted bytes must keep, over random inputs.</summary>
public class FramingPropertyTests
{
    private const int Max = 300;

    private static readonly Gen<byte[]> AnyMessage = Gen.Byte.Array[0, Max];

    private static readonly Gen<byte[]> LineMessage =
        Gen.Byte.Array[0, Max].Where(m => !m.Contains((byte)'\n') && !m.Contains((byte)0) && (m.Length == 0 || m[^1] != (byte)'\r'));

    private static readonly Gen<byte[]> NulMessage =
        Gen.Byte.Array[0, Max].Where(m => !m.Contains((byte)0) && !m.AsSpan().EndsWith("\n"u8));

    [Fact]
    public void Seed_frames_split_anywhere_decode_to_the_messages_written() =>
        Gen.Select(AnyMessage.List[0, 8], Gen.Int[0, 2000].Array[0, 12])
            .Sample((messages, cuts) => AssertRoundTrip(SeedFrameWriter.Write, new SeedFrameReader(Max), messages, cuts), iter: 500);

    [Fact]
    public void Lines_split_anywhere_decode_to_the_messages_written() =>
        Gen.Select(LineMessage.List[0, 8], Gen.Int[0, 2000].Array[0, 12])
            .Sample((messages, cuts) => AssertRoundTrip(LineFrameWriter.Write, new LineFrameReader(Max), messages, cuts), iter: 500);

    [Fact]
    public void Nul_terminated_messages_split_anywhere_decode_to_the_messages_written() =>
        Gen.Select(NulMessage.List[0, 8], Gen.Int[0, 2000].Array[0, 12])
            .Sample((messages, cuts) => AssertRoundTrip(static (m, o) => { o.Write(m); o.Write([(byte)0]); }, new NulFrameReader(Max), messages, cuts), iter: 500);

    [Fact]
    public void Random_bytes_give_messages_or_a_framing_error_never_another_exception() =>
        Gen.Select(Gen.Byte.Array[0, 600], Gen.Int[0, 600].Array[0, 6]).Sample((bytes, cuts) =>
        {
            foreach (FrameReader reader in new FrameReader[] { new SeedFrameReader(Max), new LineFrameReader(Max), new NulFrameReader(Max) })
            {
                try
                {
                    foreach (var message in ReadAllBytes(reader, SequenceFactory.Split(bytes, cuts)))
                    {
                        Assert.InRange(message.Length, 0, Max);
                    }
                }
                catch (FramingException)
                {
                }
            }

            _ = FramingDetector.Detect(SequenceFactory.Split(bytes, cuts), Max, isFinal: false);
            _ = FramingDetector.Detect(SequenceFactory.Split(bytes, cuts), Max, isFinal: true);
        }, iter: 2000);

    [Fact]
    public void Whatever_seed_frames_contain_auto_detects_them_as_seed() =>
        AnyMessage.Sample(message =>
        {
            var writer = new ArrayBufferWriter<byte>();
            SeedFrameWriter.Write(message, writer);

            Assert.Equal(FramingKind.Seed, FramingDetector.Detect(new ReadOnlySequence<byte>(writer.WrittenMemory), Max, isFinal: false));
        }, iter: 500);

    private delegate void FrameWriter(ReadOnlySpan<byte> message, IBufferWriter<byte> output);

    private static void AssertRoundTrip(FrameWriter write, FrameReader reader, List<byte[]> messages, int[] cuts)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var message in messages)
        {
            write(message, output);
        }

        var decoded = ReadAllBytes(reader, SequenceFactory.Split(output.WrittenSpan.ToArray(), cuts));

        Assert.Equal(messages, decoded, ByteArrayComparer.Instance);
    }

    private static List<byte[]> ReadAllBytes(FrameReader reader, ReadOnlySequence<byte> input)
    {
        var messages = new List<byte[]>();
        while (reader.TryRead(ref input, out var message))
        {
            messages.Add(message.ToArray());
        }

        if (!input.IsEmpty)
        {
            messages.Add(reader.ReadFinal(input).ToArray());
        }

        return messages;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
