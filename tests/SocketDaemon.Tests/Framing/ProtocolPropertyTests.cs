using System.Buffers;
using CsCheck;
using SocketDaemon.Client.Framing;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;

namespace SocketDaemon.Tests.Framing;

/// <summary>The octet and native decoders over random inputs: valid streams split anywhere, and garbage.</summary>
public class ProtocolPropertyTests
{
    private const int Max = 300;

    [Fact]
    public void Octet_frames_split_anywhere_decode_to_the_messages_written() =>
        Gen.Select(Gen.Byte.Array[1, Max].List[0, 8], Gen.Int[0, 3000].Array[0, 12]).Sample((messages, cuts) =>
        {
            var output = new ArrayBufferWriter<byte>();
            foreach (var message in messages)
            {
                OctetFrameWriter.Write(message, output);
            }

            var input = SequenceFactory.Split(output.WrittenSpan.ToArray(), cuts);
            var reader = new OctetFrameReader(Max);
            var decoded = new List<byte[]>();
            while (reader.TryRead(ref input, out var message))
            {
                decoded.Add(message.ToArray());
            }

            // A trailing LF or CRLF inside a frame is not part of the message (what rsyslog and syslog-ng send).
            Assert.True(input.IsEmpty);
            Assert.Equal(messages.Select(m => Convert.ToHexString(FrameTrimming.TrimLineEnd(new ReadOnlySequence<byte>(m)).ToArray())), decoded.Select(Convert.ToHexString));
        }, iter: 500);

    [Fact]
    public void Native_batches_split_anywhere_decode_to_the_messages_written() =>
        Gen.Select(Gen.Byte.Array[0, Max].List[0, 10].List[1, 4], Gen.Int[0, 5000].Array[0, 12]).Sample((batches, cuts) =>
        {
            var output = new ArrayBufferWriter<byte>();
            NativeFrameWriter.WritePreface(output);
            for (var b = 0; b < batches.Count; b++)
            {
                var builder = NativeFrameWriter.BeginBatch(output, (ulong)b + 1);
                batches[b].ForEach(m => builder.Add(m.AsSpan()));
                builder.Complete();
            }

            var input = SequenceFactory.Split(output.WrittenSpan.ToArray(), cuts);
            Assert.True(NativeFrameReader.TryReadPreface(ref input, out var version));
            Assert.Equal(NativeProtocol.Version, version);
            var decoded = new List<(ulong Sequence, List<string> Messages)>();
            while (NativeFrameReader.TryReadFrame(ref input, 1 << 20, out var frame))
            {
                Assert.Equal(NativeFrameType.Batch, frame.Type);
                var messages = new List<string>();
                var sequence = NativeFrameReader.ReadBatch(frame.Body, messages, static (list, m) => list.Add(Convert.ToHexString(m.ToArray())));
                decoded.Add((sequence, messages));
            }

            Assert.True(input.IsEmpty);
            Assert.Equal(batches.Select((b, i) => ((ulong)i + 1, b.Select(Convert.ToHexString).ToList())).ToList(), decoded, new BatchComparer());
        }, iter: 300);

    [Fact]
    public void Native_acknowledgements_round_trip() =>
        Gen.Select(Gen.ULong, Gen.Int[0, 4096], Gen.Select(Gen.Int[0, 4095], Gen.Byte[1, 7]).List[0, 20]).Sample((sequence, accepted, errors) =>
        {
            var output = new ArrayBufferWriter<byte>();
            var typed = errors.Select(e => (e.Item1, (NativeErrorCode)e.Item2)).ToList();
            NativeFrameWriter.WriteAck(output, sequence, accepted, typed);

            var input = new ReadOnlySequence<byte>(output.WrittenMemory);
            Assert.True(NativeFrameReader.TryReadFrame(ref input, 1 << 20, out var frame));
            Assert.Equal(sequence, NativeFrameReader.ReadAck(frame.Body, out var readAccepted, out var readErrors));
            Assert.Equal(accepted, readAccepted);
            Assert.Equal(typed, readErrors);
        });

    [Fact]
    public void Random_bytes_give_a_protocol_error_never_another_exception() =>
        Gen.Select(Gen.Byte.Array[0, 600], Gen.Int[0, 600].Array[0, 6]).Sample((bytes, cuts) =>
        {
            var input = SequenceFactory.Split(bytes, cuts);
            try
            {
                if (NativeFrameReader.TryReadPreface(ref input, out _))
                {
                    while (NativeFrameReader.TryReadFrame(ref input, 4096, out var frame))
                    {
                        _ = NativeFrameReader.ReadBatch(frame.Body, 0, static (_, m) => Assert.InRange(m.Length, 0, 4096));
                    }
                }
            }
            catch (NativeProtocolException)
            {
            }

            foreach (var body in new[] { SequenceFactory.Split(bytes, cuts) })
            {
                try
                {
                    _ = NativeFrameReader.ReadBatch(body, 0, static (_, _) => { });
                }
                catch (NativeProtocolException)
                {
                }

                try
                {
                    _ = NativeFrameReader.ReadAck(body, out _, out _);
                }
                catch (NativeProtocolException)
                {
                }

                try
                {
                    _ = NativeFrameReader.ReadError(body, out _, out _);
                }
                catch (NativeProtocolException)
                {
                }
            }

            var octet = SequenceFactory.Split(bytes, cuts);
            try
            {
                var reader = new OctetFrameReader(Max);
                while (reader.TryRead(ref octet, out _))
                {
                }
            }
            catch (FramingException)
            {
            }
        }, iter: 2000);

    [Fact]
    public void Random_bytes_after_a_valid_preface_give_a_protocol_error_never_another_exception() =>
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            var input = new ReadOnlySequence<byte>([0, (byte)'S', (byte)'D', (byte)'N', (byte)'P', 1, .. bytes]);
            try
            {
                Assert.True(NativeFrameReader.TryReadPreface(ref input, out _));
                while (NativeFrameReader.TryReadFrame(ref input, 4096, out var frame))
                {
                    if (frame.Type == NativeFrameType.Batch)
                    {
                        _ = NativeFrameReader.ReadBatch(frame.Body, 0, static (_, _) => { });
                    }
                    else
                    {
                        _ = NativeFrameReader.ReadId(frame.Body);
                    }
                }
            }
            catch (NativeProtocolException)
            {
            }
        }, iter: 2000);

    [Fact]
    public void Random_origin_batches_and_session_requests_give_a_protocol_error_never_another_exception() =>
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            var body = new ReadOnlySequence<byte>(bytes);
            try
            {
                _ = NativeFrameReader.ReadOriginBatch(body, 0, static (_, origin, _) =>
                {
                    if (!origin.IsEmpty)
                    {
                        _ = MessageOrigin.Read(origin);
                    }
                });
            }
            catch (NativeProtocolException)
            {
            }

            try
            {
                _ = MessageOrigin.Read(body);
            }
            catch (NativeProtocolException)
            {
            }

            try
            {
                _ = NativeFrameReader.ReadSession(body, out _);
            }
            catch (NativeProtocolException)
            {
            }
        }, iter: 2000);

    [Fact]
    public void Origin_batches_decode_to_the_messages_and_origins_written() =>
        Gen.Select(Gen.Byte.Array[0, Max].List[0, 10], Gen.String, Gen.Long[0, 4_000_000_000_000_000]).Sample((messages, host, microseconds) =>
        {
            var origin = new MessageOrigin
            {
                Host = host,
                Listener = "l",
                Peer = "p",
                ReceivedAt = new DateTimeOffset(DateTime.UnixEpoch.Ticks + (microseconds * 10), TimeSpan.Zero),
            };
            var output = new ArrayBufferWriter<byte>();
            var batch = NativeFrameWriter.BeginOriginBatch(output, 5);
            foreach (var message in messages)
            {
                var entry = new ArrayBufferWriter<byte>();
                NativeFrameWriter.WriteOriginEntry(entry, origin, new ReadOnlySequence<byte>(message));
                batch.AddEntry(entry.WrittenSpan);
            }

            batch.Complete();
            var input = new ReadOnlySequence<byte>(output.WrittenMemory);
            Assert.True(NativeFrameReader.TryReadFrame(ref input, 1 << 20, out var frame));
            var decoded = new List<(MessageOrigin, string)>();
            Assert.Equal(5UL, NativeFrameReader.ReadOriginBatch(frame.Body, decoded, static (list, o, m) => list.Add((MessageOrigin.Read(o), Convert.ToHexString(m.ToArray())))));
            Assert.Equal(messages.Select(m => (origin with { Host = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(host)) }, Convert.ToHexString(m))), decoded);
        }, iter: 300);

    private sealed class BatchComparer : IEqualityComparer<(ulong Sequence, List<string> Messages)>
    {
        public bool Equals((ulong Sequence, List<string> Messages) x, (ulong Sequence, List<string> Messages) y) =>
            x.Sequence == y.Sequence && x.Messages.SequenceEqual(y.Messages);

        public int GetHashCode((ulong Sequence, List<string> Messages) obj) => obj.Sequence.GetHashCode();
    }
}
