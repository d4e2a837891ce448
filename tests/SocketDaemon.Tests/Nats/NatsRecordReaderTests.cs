using System.Buffers;
using CsCheck;
using NATS.Client.Core;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Listeners.Internal;
using SocketDaemon.Nats;

namespace SocketDaemon.Tests.Nats;

/// <summary>
/// The edge's pump reads spool records into publishes without copying them, reusing the previous record's subject and
/// headers when their bytes match; the aggregator reads stream sequences from reply subjects in place.
/// </summary>
public class NatsRecordReaderTests
{
    private static readonly Gen<string> Text = Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c)), 0, 30];

    // Few distinct subjects and header sets, so that runs of records share them and some differ by a byte.
    private static readonly Gen<(string Subject, (string Name, string Value)[] Headers, byte[] Payload)> Message =
        Gen.Select(Gen.OneOfConst("logs.a", "logs.b", "logs.ab"),
            Gen.Select(Gen.OneOfConst("SocketDaemon-Host", "SocketDaemon-Pid", "X"), Gen.OneOf(Gen.OneOfConst("1", "12"), Text)).Array[0, 4],
            Gen.Byte.Array[0, 100]);

    [Fact]
    public void Records_read_in_a_run_give_each_its_own_subject_headers_payload_and_message_id()
    {
        Message.Array[1, 30].Sample(messages =>
        {
            var records = new SpoolRecordBuffer();
            var expected = new List<NatsHeaders>();
            foreach (var (subject, pairs, payload) in messages)
            {
                var headers = new NatsHeaders();
                foreach (var (name, value) in pairs.DistinctBy(p => p.Name, StringComparer.OrdinalIgnoreCase))
                {
                    headers[name] = value;
                }

                expected.Add(headers);
                NatsSpoolRecord.Stage(records, subject, NatsSpoolRecord.EncodeHeaders(headers), new ReadOnlySequence<byte>(payload), int.MaxValue);
            }

            var reader = new NatsRecordReader("spoolid");
            var run = Payloads(records);
            for (var i = 0; i < messages.Length; i++)
            {
                var message = reader.Read(run[i], (ulong)i + 1);
                Assert.Equal(messages[i].Subject, message.Subject);
                Assert.Equal(messages[i].Payload, message.Data.ToArray());
                Assert.Equal($"spoolid-{i + 1}", message.MessageId());
                var headers = message.Headers.ToHeaders(message.MessageId());
                Assert.Equal(expected[i].Count + 1, headers.Count);
                foreach (var (name, value) in expected[i])
                {
                    Assert.Equal(value.ToString(), headers[name].ToString());
                }
            }
        }, iter: 200);
    }

    [Fact]
    public void A_record_cut_anywhere_is_refused_as_not_a_NATS_record()
    {
        var records = new SpoolRecordBuffer();
        var headers = new NatsHeaders { ["SocketDaemon-Host"] = "edge" };
        NatsSpoolRecord.Stage(records, "logs.a", NatsSpoolRecord.EncodeHeaders(headers), new ReadOnlySequence<byte>("x"u8.ToArray()), int.MaxValue);
        var record = Payloads(records)[0];
        // Every cut before the payload: the payload runs to the end, so a shorter one is still a record.
        for (var cut = 0; cut < record.Length - 1; cut++)
        {
            Assert.Throws<InvalidDataException>(() => new NatsRecordReader("id").Read(record[..cut], 1));
        }
    }

    /// <summary>The payloads of the staged records, as the pump slices them out of one run.</summary>
    private static List<ReadOnlyMemory<byte>> Payloads(SpoolRecordBuffer records)
    {
        var run = new ReadOnlyMemory<byte>(records.Records.ToArray());
        var payloads = new List<ReadOnlyMemory<byte>>();
        while (!run.IsEmpty)
        {
            var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(run.Span);
            payloads.Add(run.Slice(SpoolSegment.HeaderSize, length));
            run = run[(SpoolSegment.HeaderSize + length)..];
        }

        return payloads;
    }

    [Theory]
    [InlineData("$JS.ACK.LOGS.agg.1.42.7.1733222222000000000.0", true, 42UL)]
    [InlineData("$JS.ACK.hub.ACCHASH.LOGS.agg.1.43.7.1733222222000000000.0", true, 43UL)]
    [InlineData("$JS.ACK.hub.ACCHASH.LOGS.agg.1.44.7.1733222222000000000.0.token", true, 44UL)]
    [InlineData("$JS.ACK.LOGS.agg.1.x.7.1733222222000000000.0", false, 0UL)]
    [InlineData("$JS.ACK.LOGS.agg.1.42", false, 0UL)]
    [InlineData("_INBOX.abc.1", false, 0UL)]
    [InlineData(null, false, 0UL)]
    public void A_reply_subject_names_the_stream_sequence_or_is_left_to_the_client(string? replyTo, bool read, ulong sequence)
    {
        Assert.Equal(read, NatsReplySubject.TryStreamSequence(replyTo, out var parsed));
        Assert.Equal(sequence, parsed);
    }

    [Fact]
    public void Any_reply_subject_is_read_without_throwing()
    {
        Gen.String[Gen.OneOfConst('$', 'J', 'S', '.', 'A', 'C', 'K', '1', '-'), 0, 60].Sample(text =>
        {
            _ = NatsReplySubject.TryStreamSequence("$JS.ACK." + text, out _);
        }, iter: 500);
    }
}
