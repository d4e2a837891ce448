using System.Text;
using CsCheck;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Spooling;

/// <summary>The on-disk spool: records come back in order until acknowledged, across restarts and torn writes.</summary>
public class DiskSpoolTests
{
    [Fact]
    public void Records_come_back_in_order_after_a_reopen_until_they_are_acknowledged()
    {
        using var directory = new TempDirectory();
        using (var spool = DiskSpool.Open(directory.Path))
        {
            Assert.Equal(1UL, spool.Append("one"u8));
            Assert.Equal(2UL, spool.Append("two"u8));
            Assert.Equal(3UL, spool.Append("three"u8));
            spool.Commit();
            spool.Acknowledge(1);
        }

        using var reopened = DiskSpool.Open(directory.Path);
        Assert.Equal(["two", "three"], Texts(reopened.Read(1, 100, long.MaxValue)));
        Assert.Equal(4UL, reopened.NextSequence);
        Assert.Equal(2, reopened.Pending);
    }

    [Theory]
    [InlineData(SpoolDurability.Flush)]
    [InlineData(SpoolDurability.Fsync)]
    public void The_acknowledged_position_moves_forward_across_reopens_in_either_durability(SpoolDurability durability)
    {
        using var directory = new TempDirectory();
        var options = new DiskSpoolOptions { Durability = durability };
        for (var round = 1UL; round <= 3; round++)
        {
            using var spool = DiskSpool.Open(directory.Path, options);
            Assert.Equal(round - 1, spool.Acknowledged);
            spool.Append("record"u8);
            spool.Acknowledge(round);
        }

        using var reopened = DiskSpool.Open(directory.Path, options);
        Assert.Equal(3UL, reopened.Acknowledged);
        Assert.Equal(0, reopened.Pending);
        Assert.Equal(["ack"], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void An_acknowledged_position_torn_by_a_power_loss_counts_as_none_and_everything_spooled_comes_back()
    {
        using var directory = new TempDirectory();
        using (var spool = DiskSpool.Open(directory.Path))
        {
            spool.Append("one"u8);
            spool.Append("two"u8);
            spool.Acknowledge(1);
        }

        // The position is written in place: half of the new bytes over the old ones fails its CRC.
        var ack = Path.Combine(directory.Path, "ack");
        var bytes = File.ReadAllBytes(ack);
        bytes[7] ^= 0xFF;
        File.WriteAllBytes(ack, bytes);

        using var reopened = DiskSpool.Open(directory.Path);
        Assert.Equal(0UL, reopened.Acknowledged);
        Assert.Equal(["one", "two"], Texts(reopened.Read(1, 100, long.MaxValue)));
    }

    [Fact]
    public void A_torn_last_record_is_cut_off_and_the_ones_before_it_stay()
    {
        using var directory = new TempDirectory();
        using (var spool = DiskSpool.Open(directory.Path))
        {
            spool.Append("whole"u8);
            spool.Append("torn in the middle"u8);
        }

        var segment = Directory.GetFiles(directory.Path, "*.spool").Single();
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 5);
        }

        using var reopened = DiskSpool.Open(directory.Path);
        Assert.Equal(["whole"], Texts(reopened.Read(1, 100, long.MaxValue)));
        Assert.Equal(8 + 18 - 5, reopened.RecoveredTornBytes);
        Assert.Equal(2UL, reopened.Append("next"u8));
    }

    [Fact]
    public void Segments_are_deleted_once_every_record_in_them_is_acknowledged()
    {
        using var directory = new TempDirectory();
        using var spool = DiskSpool.Open(directory.Path, new DiskSpoolOptions { SegmentBytes = 64 });
        for (var i = 0; i < 10; i++)
        {
            spool.Append(new byte[40]);
        }

        Assert.Equal(10, Directory.GetFiles(directory.Path, "*.spool").Length);
        spool.Acknowledge(7);
        Assert.Equal(3, Directory.GetFiles(directory.Path, "*.spool").Length);
        spool.Acknowledge(10);
        Assert.Empty(Directory.GetFiles(directory.Path, "*.spool"));
        Assert.Equal(0, spool.Bytes);
    }

    [Fact]
    public void A_full_spool_refuses_the_new_record_and_keeps_the_old_ones()
    {
        using var directory = new TempDirectory();
        using var spool = DiskSpool.Open(directory.Path, new DiskSpoolOptions { MaxBytes = 100, Durability = SpoolDurability.Fsync });
        spool.Append(new byte[40]);
        spool.Append(new byte[40]);
        Assert.Throws<SpoolFullException>(() => spool.Append(new byte[40]));
        Assert.Equal(2, spool.Read(1, 100, long.MaxValue).Count);
        spool.Acknowledge(2);
        Assert.Equal(3UL, spool.Append(new byte[40]));
        spool.Commit();
    }

    [Fact]
    public async Task A_reader_waiting_for_the_next_record_wakes_when_it_is_appended()
    {
        using var directory = new TempDirectory();
        using var spool = DiskSpool.Open(directory.Path);
        var waiting = spool.WaitForAsync(1, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        spool.Append("x"u8);
        await waiting.WaitAsync(Wait.Timeout);
    }

    [Fact]
    public void Any_appends_acknowledgements_restarts_and_torn_writes_recover_exactly_the_unacknowledged_records_in_order() =>
        Gen.Select(Gen.Int[0, 9], Gen.Byte.Array[0, 40], Gen.Int[0, 1000]).List[1, 40].Sample(operations =>
        {
            using var directory = new TempDirectory();
            var options = new DiskSpoolOptions { SegmentBytes = 100 };
            var model = new List<(ulong Sequence, byte[] Payload)>();
            ulong acknowledged = 0;
            var spool = DiskSpool.Open(directory.Path, options);
            try
            {
                foreach (var (kind, payload, number) in operations)
                {
                    switch (kind)
                    {
                        case <= 4:
                            model.Add((spool.Append(payload), payload));
                            break;
                        case <= 6 when spool.NextSequence > 1:
                            var through = (ulong)number % spool.NextSequence;
                            spool.Acknowledge(through);
                            acknowledged = Math.Max(acknowledged, through);
                            break;
                        case 7:
                            spool.Dispose();
                            spool = DiskSpool.Open(directory.Path, options);
                            break;
                        case 8:
                            // A crash in the middle of writing a record: any prefix of it reached the file.
                            spool.Append(payload);
                            spool.Dispose();
                            Truncate(LastSegment(directory.Path), 1 + (number % (8 + payload.Length)));
                            spool = DiskSpool.Open(directory.Path, options);
                            break;
                        case 9:
                            // A crash that left garbage after the last record (a header torn into nonsense).
                            spool.Dispose();
                            if (LastSegment(directory.Path) is { } last)
                            {
                                File.AppendAllBytes(last, payload.Length == 0 ? [0xFF] : payload);
                            }

                            spool = DiskSpool.Open(directory.Path, options);
                            break;
                    }
                }

                spool.Dispose();
                spool = DiskSpool.Open(directory.Path, options);
                var expected = model.Where(r => r.Sequence > acknowledged).Select(r => (r.Sequence, Convert.ToHexString(r.Payload)));
                var actual = spool.Read(1, int.MaxValue, long.MaxValue).Select(r => (r.Sequence, Convert.ToHexString(r.Payload)));
                Assert.Equal(expected, actual);
            }
            finally
            {
                spool.Dispose();
            }
        }, iter: 150);

    [Fact]
    public void Records_appended_a_batch_at_a_time_come_back_one_by_one_and_in_ranges_as_appended() =>
        Gen.Select(Gen.Byte.Array[0, 40].List[1, 8], Gen.Int[1, 6], Gen.Int[0, 90]).List[1, 20].Sample(steps =>
        {
            using var directory = new TempDirectory();
            var options = new DiskSpoolOptions { SegmentBytes = 100 };
            var expected = new List<byte[]>();
            using (var spool = DiskSpool.Open(directory.Path, options))
            {
                var batch = new SpoolRecordBuffer();
                foreach (var (payloads, _, _) in steps)
                {
                    foreach (var payload in payloads)
                    {
                        Stage(batch, payload);
                    }

                    Assert.Equal(spool.NextSequence + (ulong)payloads.Count - 1, spool.AppendRecords(batch));
                    batch.Reset();
                    expected.AddRange(payloads);
                }
            }

            using var reopened = DiskSpool.Open(directory.Path, options);
            Assert.Equal(expected.Select(Convert.ToHexString), reopened.Read(1, int.MaxValue, long.MaxValue).Select(r => Convert.ToHexString(r.Payload)));
            ulong next = 1;
            var step = 0;
            while (reopened.NextRange(next, steps[step % steps.Count].Item2, steps[step % steps.Count].Item3) is { } range)
            {
                var (_, maxRecords, maxBytes) = steps[step++ % steps.Count];
                var wanted = expected.Skip((int)range.First - 1).Take((int)(range.Last - range.First + 1)).ToList();
                Assert.Equal(next, range.First);
                Assert.InRange(wanted.Count, 1, maxRecords);
                Assert.True(wanted.Count == 1 || wanted.Sum(p => p.Length) <= maxBytes);
                var output = new System.Buffers.ArrayBufferWriter<byte>();
                Assert.Equal(wanted.Count, reopened.CopyPayloads(range, output));
                Assert.Equal(Convert.ToHexString([.. wanted.SelectMany(p => p)]), Convert.ToHexString(output.WrittenSpan));
                next = range.Last + 1;
            }

            Assert.Equal((ulong)expected.Count + 1, next);
        }, iter: 150);

    [Fact]
    public void A_batch_that_does_not_fit_is_refused_whole_and_the_spool_keeps_what_it_held()
    {
        using var directory = new TempDirectory();
        using var spool = DiskSpool.Open(directory.Path, new DiskSpoolOptions { MaxBytes = 100 });
        spool.Append(new byte[40]);
        var batch = new SpoolRecordBuffer();
        for (var i = 0; i < 2; i++)
        {
            Stage(batch, new byte[20]);
        }

        Assert.Throws<SpoolFullException>(() => spool.EnsureRoomFor(batch.Bytes));
        Assert.Throws<SpoolFullException>(() => spool.AppendRecords(batch));
        Assert.Equal(2UL, spool.NextSequence);
        Assert.Equal(48, spool.Bytes);
        spool.Acknowledge(1);
        Assert.Equal(3UL, spool.AppendRecords(batch));
        Assert.Equal(2, spool.Read(1, 100, long.MaxValue).Count);
    }

    private static void Stage(SpoolRecordBuffer batch, byte[] payload)
    {
        batch.BeginRecord();
        payload.CopyTo(batch.GetSpan(payload.Length));
        batch.Advance(payload.Length);
        batch.EndRecord(int.MaxValue);
    }

    private static string? LastSegment(string directory) => Directory.GetFiles(directory, "*.spool").Order(StringComparer.Ordinal).LastOrDefault();

    private static void Truncate(string? path, int bytes)
    {
        using var file = new FileStream(path!, FileMode.Open);
        file.SetLength(Math.Max(0, file.Length - bytes));
    }

    private static IEnumerable<string> Texts(IEnumerable<SpoolRecord> records) => records.Select(r => Encoding.UTF8.GetString(r.Payload));
}
