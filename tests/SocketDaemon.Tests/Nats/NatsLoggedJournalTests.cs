using System.Buffers;
using System.Text;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocketDaemon.Configuration;
using SocketDaemon.Nats.Logged;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Nats;

/// <summary>
/// The aggregator's journal of logged stream sequences, over a real log writer and file: what a killed run's claims
/// say after the restart, against what its file holds.
/// </summary>
public class NatsLoggedJournalTests
{
    [Fact]
    public void A_sequence_set_holds_exactly_what_was_added_and_not_forgotten()
    {
        var ranges = Gen.Select(Gen.ULong[1, 200], Gen.ULong[0, 6]).Array[0, 40];
        Gen.Select(ranges, ranges, Gen.ULong[0, 220]).Sample((adds, removes, floor) =>
        {
            var set = new SequenceSet();
            var expected = new HashSet<ulong>();
            foreach (var (first, length) in adds)
            {
                set.Add(first, first + length);
                for (var s = first; s <= first + length; s++)
                {
                    expected.Add(s);
                }
            }

            var removed = new SequenceSet();
            foreach (var (first, length) in removes)
            {
                removed.Add(first, first + length);
                expected.RemoveWhere(s => s >= first && s <= first + length);
            }

            set.RemoveAll(removed);
            set.RemoveThrough(floor);
            expected.RemoveWhere(s => s <= floor);
            for (var s = 0UL; s <= 220; s++)
            {
                Assert.Equal(expected.Contains(s), set.Contains(s));
            }

            // Sorted, disjoint and not touching: each range as small a record as it can be.
            for (var i = 1; i < set.Ranges.Count; i++)
            {
                Assert.True(set.Ranges[i - 1].Last + 1 < set.Ranges[i].First);
            }
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_kill_the_claimed_sequences_count_as_logged_only_when_their_lines_are_in_the_file(bool linesLost)
    {
        using var directory = new TempDirectory();
        var options = Options.Create(new SharedSettings { LogDirectory = directory.Combine("logs"), StateDirectory = directory.Combine("state") });
        Directory.CreateDirectory(directory.Combine("logs"));

        // The killed run: logs the lines of sequences 5, 6, 7 and 9 with their claim; its batch never commits.
        var journal = new NatsLoggedJournal(options, NullLogger<NatsLoggedJournal>.Instance);
        journal.RecoverFiles();
        var stream = journal.Get("LOGS", "aggregators");
        var claimed = new SequenceSet();
        foreach (var sequence in new ulong[] { 5, 6, 7, 9 })
        {
            claimed.Add(sequence);
        }

        string file;
        using (var writer = new MessageLogWriter(directory.Combine("logs/messages.log"), MessageDurability.Flush, NullLogger.Instance))
        {
            var lines = Encoding.UTF8.GetBytes("five\nsix\nseven\nnine\n");
            var chunk = ArrayPool<byte>.Shared.Rent(lines.Length);
            lines.CopyTo(chunk, 0);
            await writer.EnqueueAsync(chunk, lines.Length, new NatsLoggedClaim(journal, stream, claimed));
            await writer.CommitAsync();
            file = writer.OpenFile!;
        }

        // Closed with the claim unsettled: the journal keeps it as it was recorded, as after a kill.
        journal.Dispose();
        if (linesLost)
        {
            // Killed mid-write: the journal has the claim, the file half its lines.
            File.WriteAllBytes(file, Encoding.UTF8.GetBytes("five\nsix\nsev"));
        }

        // The next run.
        using var next = new NatsLoggedJournal(options, NullLogger<NatsLoggedJournal>.Instance);
        next.RecoverFiles();
        var recovered = next.Get("LOGS", "aggregators");
        Assert.Equal([!linesLost, !linesLost, !linesLost, false, !linesLost], new ulong[] { 5, 6, 7, 8, 9 }.Select(recovered.Contains));
        Assert.False(next.Get("LOGS", "others").Contains(5));

        // A torn chunk goes whole: JetStream delivers all its messages again, and their lines are logged once.
        Assert.Equal(linesLost ? string.Empty : "five\nsix\nseven\nnine\n", File.ReadAllText(file));
    }

    [Fact]
    public async Task A_claimed_message_whose_other_commitment_failed_does_not_count_as_logged_after_a_kill()
    {
        using var directory = new TempDirectory();
        var options = Options.Create(new SharedSettings { LogDirectory = directory.Combine("logs"), StateDirectory = directory.Combine("state") });
        Directory.CreateDirectory(directory.Combine("logs"));
        var journal = new NatsLoggedJournal(options, NullLogger<NatsLoggedJournal>.Instance);
        journal.RecoverFiles();
        var stream = journal.Get("LOGS", "aggregators");
        var claimed = new SequenceSet();
        claimed.Add(1, 3);
        var claim = new NatsLoggedClaim(journal, stream, claimed);
        using (var writer = new MessageLogWriter(directory.Combine("logs/messages.log"), MessageDurability.Flush, NullLogger.Instance))
        {
            var lines = Encoding.UTF8.GetBytes("one\ntwo\nthree\n");
            var chunk = ArrayPool<byte>.Shared.Rent(lines.Length);
            lines.CopyTo(chunk, 0);
            await writer.EnqueueAsync(chunk, lines.Length, claim);
            await writer.CommitAsync();
        }

        // The lines are in the file, but message 2's forward failed: NATS is asked for it again.
        var committed = new SequenceSet();
        committed.Add(1);
        committed.Add(3);
        stream.Settle(committed, [claim]);
        Assert.False(stream.Contains(2));

        // Killed now: the journal is not closed (which would rewrite it), the next run reads its records as they are.

        using var next = new NatsLoggedJournal(options, NullLogger<NatsLoggedJournal>.Instance);
        next.RecoverFiles();
        Assert.Equal([true, false, true], new ulong[] { 1, 2, 3 }.Select(next.Get("LOGS", "aggregators").Contains));
    }

    [Fact]
    public void Sequences_recorded_after_the_commit_survive_a_kill_and_are_forgotten_at_the_acknowledgement_floor()
    {
        using var directory = new TempDirectory();
        var options = Options.Create(new SharedSettings { LogDirectory = directory.Combine("logs"), StateDirectory = directory.Combine("state") });
        var journal = new NatsLoggedJournal(options, NullLogger<NatsLoggedJournal>.Instance);
        journal.RecoverFiles();
        var committed = new SequenceSet();
        committed.Add(10, 20);
        journal.Get("LOGS", "aggregators").Settle(committed, []);
        journal.Dispose();

        using (var next = new NatsLoggedJournal(options, NullLogger<NatsLoggedJournal>.Instance))
        {
            next.RecoverFiles();
            var stream = next.Get("LOGS", "aggregators");
            Assert.True(stream.Contains(10) && stream.Contains(20) && !stream.Contains(21));
            stream.Forget(15);
        }

        // A clean stop rewrote the journal without what JetStream will not deliver again.
        using var last = new NatsLoggedJournal(options, NullLogger<NatsLoggedJournal>.Instance);
        last.RecoverFiles();
        Assert.Equal([false, true, true], new ulong[] { 15, 16, 20 }.Select(last.Get("LOGS", "aggregators").Contains));
    }
}
