using System.Buffers;
using CsCheck;
using NATS.Client.Core;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Nats;

namespace SocketDaemon.Tests.Nats;

/// <summary>The <c>Nats</c> step's spool records: a batch staged in place is what the one-message writer made.</summary>
public class NatsSpoolRecordTests
{
    private static readonly Gen<string> Text = Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c)), 0, 30];

    private static readonly Gen<(string Subject, (string Name, string Value)[] Headers, byte[] Payload)> Message =
        Gen.Select(Gen.String[Gen.Char['!', '~'], 1, 40], Gen.Select(Gen.String[Gen.Char['A', 'z'], 1, 20], Text).Array[0, 6], Gen.Byte.Array[0, 300]);

    [Fact]
    public void A_batch_staged_in_place_appends_with_one_write_and_reads_back_as_the_records_written_one_by_one()
    {
        var directory = Directory.CreateTempSubdirectory("natsrecord-");
        try
        {
            var round = 0;
            Message.Array[1, 20].Sample(messages =>
            {
                using var spool = DiskSpool.Open(Path.Combine(directory.FullName, (round++).ToString(System.Globalization.CultureInfo.InvariantCulture)), new DiskSpoolOptions());
                var batch = new SpoolRecordBuffer();
                var written = new List<byte[]>();
                foreach (var (subject, pairs, payload) in messages)
                {
                    var headers = new NatsHeaders();
                    foreach (var (name, value) in pairs.DistinctBy(p => p.Name))
                    {
                        headers[name] = value;
                    }

                    written.Add(NatsSpoolRecord.Write(new NatsOutgoing(subject, payload, headers, "id", null)));
                    NatsSpoolRecord.Stage(batch, subject, NatsSpoolRecord.EncodeHeaders(headers), new ReadOnlySequence<byte>(payload), spool.MaxRecordBytes);
                }

                var last = spool.AppendRecords(batch);
                batch.Reset();

                Assert.Equal((ulong)messages.Length, last);
                var read = spool.Read(1, int.MaxValue, long.MaxValue);
                Assert.Equal(written, read.Select(r => r.Payload));
                var reader = new NatsRecordReader("id");
                for (var i = 0; i < messages.Length; i++)
                {
                    var message = reader.Read(read[i].Payload, (ulong)i + 1);
                    Assert.Equal(messages[i].Subject, message.Subject);
                    Assert.Equal(messages[i].Payload, message.Data.ToArray());
                }
            }, iter: 50);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
