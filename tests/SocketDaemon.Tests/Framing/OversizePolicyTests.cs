using System.Buffers;
using System.Text;
using CsCheck;
using SocketDaemon.Client.Framing;
using SocketDaemon.Framing;

namespace SocketDaemon.Tests.Framing;

/// <summary>
/// <c>Oversize: drop</c> skips a frame over the limit and reads on from the next one; <c>truncate</c> keeps its first
/// <c>MaxMessageBytes</c>, marked. Neither buffers the frame whole, and both hold across any split of the input.
/// </summary>
public class OversizePolicyTests
{
    private const int Max = 10;

    private static readonly string Long = new('x', 25);

    public static TheoryData<string> Framings => ["seed", "lines", "octet"];

    [Theory]
    [MemberData(nameof(Framings))]
    public void Drop_skips_the_oversize_frame_and_reads_the_next(string framing)
    {
        var (messages, dropped) = ReadAll(framing, OversizePolicy.Drop, Encode(framing, "before", Long, "after"));

        Assert.Equal(["before", "after"], messages);
        Assert.Equal(1, dropped);
    }

    [Theory]
    [MemberData(nameof(Framings))]
    public void Truncate_keeps_the_first_MaxMessageBytes_marked_and_reads_the_next(string framing)
    {
        var (messages, dropped) = ReadAll(framing, OversizePolicy.Truncate, Encode(framing, "before", Long, "after"));

        Assert.Equal(["before", "xxxxxxxxxx [truncated]", "after"], messages);
        Assert.Equal(0, dropped);
    }

    [Theory]
    [MemberData(nameof(Framings))]
    public void Close_still_refuses_the_frame(string framing)
    {
        var error = Assert.Throws<FramingException>(() => ReadAll(framing, OversizePolicy.Close, Encode(framing, "before", Long, "after")));

        Assert.Equal(FramingError.Oversize, error.Error);
    }

    [Fact]
    public void A_last_line_over_the_limit_without_a_newline_follows_the_policy()
    {
        var bytes = Encoding.UTF8.GetBytes("ok\n" + Long);

        var (dropping, dropped) = ReadAll("lines", OversizePolicy.Drop, bytes);
        var (truncating, _) = ReadAll("lines", OversizePolicy.Truncate, bytes);

        Assert.Equal(["ok"], dropping);
        Assert.Equal(1, dropped);
        Assert.Equal(["ok", "xxxxxxxxxx [truncated]"], truncating);
    }

    [Fact]
    public void A_dropped_seed_frame_is_skipped_as_it_arrives_not_buffered()
    {
        var reader = new SeedFrameReader(Max);
        var state = default(OversizeState);
        var input = new ReadOnlySequence<byte>(RawSeedHeader(1_000_001));

        Assert.Equal(FrameResult.Dropped, reader.Read(ref input, OversizePolicy.Drop, ref state, out _));
        Assert.True(input.IsEmpty);
        Assert.True(state.InFrame);

        var body = new ReadOnlySequence<byte>(new byte[1_000_000]);
        Assert.Equal(FrameResult.Incomplete, reader.Read(ref body, OversizePolicy.Drop, ref state, out _));
        Assert.True(body.IsEmpty);

        var rest = new ReadOnlySequence<byte>([0, .. Infrastructure.RawClient.SeedFrame("next")]);
        Assert.Equal(FrameResult.Message, reader.Read(ref rest, OversizePolicy.Drop, ref state, out var message));
        Assert.Equal("next", Encoding.UTF8.GetString(message));
        Assert.False(state.InFrame);
    }

    [Fact]
    public void An_octet_count_still_arriving_waits_for_its_end_before_dropping()
    {
        var reader = new OctetFrameReader(Max);
        var state = default(OversizeState);
        var input = new ReadOnlySequence<byte>("100"u8.ToArray());

        Assert.Equal(FrameResult.Incomplete, reader.Read(ref input, OversizePolicy.Drop, ref state, out _));
        Assert.Equal(3, input.Length);
    }

    [Fact]
    public void A_count_too_long_to_skip_closes_whatever_the_policy()
    {
        var reader = new OctetFrameReader(Max);
        var state = default(OversizeState);
        var input = new ReadOnlySequence<byte>("99999999999 x"u8.ToArray());

        Assert.Throws<FramingException>(() => reader.Read(ref input, OversizePolicy.Drop, ref state, out _));
    }

    [Fact]
    public void Under_either_policy_any_split_of_a_stream_decodes_the_same() =>
        Gen.Select(Gen.OneOfConst("seed", "lines", "octet"), Gen.OneOfConst(OversizePolicy.Drop, OversizePolicy.Truncate), Gen.Char['a', 'z'].Array[1, 3 * Max].Select(c => new string(c)).List[1, 8], Gen.Int[0, 400].Array[0, 10])
            .Sample((framing, policy, texts, cuts) =>
            {
                var bytes = Encode(framing, [.. texts]);
                var whole = ReadAll(framing, policy, bytes);
                var split = ReadAll(framing, policy, bytes, cuts);

                Assert.Equal(whole.Messages, split.Messages);
                Assert.Equal(whole.Dropped, split.Dropped);
                Assert.Equal(texts.Count, whole.Messages.Count + whole.Dropped);
                Assert.Equal(texts.Count(t => t.Length > Max), policy == OversizePolicy.Drop ? whole.Dropped : whole.Messages.Count(m => m.EndsWith(" [truncated]", StringComparison.Ordinal)));
            }, iter: 500);

    private static byte[] Encode(string framing, params string[] texts)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var text in texts)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            switch (framing)
            {
                case "seed":
                    SeedFrameWriter.Write(bytes, output);
                    break;
                case "lines":
                    LineFrameWriter.Write(bytes, output);
                    break;
                default:
                    OctetFrameWriter.Write(bytes, output);
                    break;
            }
        }

        return output.WrittenSpan.ToArray();
    }

    private static byte[] RawSeedHeader(int length) => BitConverter.GetBytes(length);

    /// <summary>Reads as a connection does, one segment at a time, each as if it were a fresh read of the pipe.</summary>
    private static (List<string> Messages, int Dropped) ReadAll(string framing, OversizePolicy policy, byte[] bytes, int[]? cuts = null)
    {
        var reader = FrameReader.Create(Enum.Parse<FramingKind>(framing, ignoreCase: true), Max);
        var messages = new List<string>();
        var dropped = 0;
        var state = default(OversizeState);
        var pending = Array.Empty<byte>();
        var points = (cuts ?? []).Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length).ToList();
        var start = 0;
        foreach (var end in points)
        {
            // What the connection has not consumed stays in its pipe and comes back with the next read.
            var input = new ReadOnlySequence<byte>([.. pending, .. bytes[start..end]]);
            start = end;
            FrameResult result;
            while ((result = reader.Read(ref input, policy, ref state, out var message)) != FrameResult.Incomplete)
            {
                Collect(result, message);
            }

            pending = input.ToArray();
        }

        if (pending.Length > 0)
        {
            Collect(reader.ReadFinal(new ReadOnlySequence<byte>(pending), policy, ref state, out var last), last);
        }

        return (messages, dropped);

        void Collect(FrameResult result, ReadOnlySequence<byte> message)
        {
            if (result == FrameResult.Dropped)
            {
                dropped++;
            }
            else
            {
                messages.Add(Encoding.UTF8.GetString(message) + (result == FrameResult.Truncated ? " [truncated]" : string.Empty));
            }
        }
    }
}
