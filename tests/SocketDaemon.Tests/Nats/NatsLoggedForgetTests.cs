using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocketDaemon.Configuration;
using SocketDaemon.Nats.Logged;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Nats;

/// <summary>
/// The aggregator's journal forgets what JetStream will not deliver again only once the copies it had already
/// delivered have run: a copy delivered again after <c>AckWait</c> may wait in the listener's queue behind the first.
/// </summary>
public class NatsLoggedForgetTests
{
    [Fact]
    public void Sequences_at_the_acknowledgement_floor_stay_logged_until_the_next_look_at_it()
    {
        using var directory = new TempDirectory();
        var options = Options.Create(new SharedSettings { LogDirectory = directory.Combine("logs"), StateDirectory = directory.Combine("state") });
        using var journal = new NatsLoggedJournal(options, NullLogger<NatsLoggedJournal>.Instance);
        journal.RecoverFiles();
        var stream = journal.Get("LOGS", "aggregators");
        var committed = new SequenceSet();
        committed.Add(10, 20);
        stream.Settle(committed, []);

        // The floor passed them; a second copy of one, fetched before its acknowledgement, may still be queued.
        stream.Forget(20);
        Assert.True(stream.Contains(10) && stream.Contains(20));

        // By the next look the listener has run every copy fetched before the first.
        stream.Forget(20);
        Assert.False(stream.Contains(10) || stream.Contains(20));
    }
}
