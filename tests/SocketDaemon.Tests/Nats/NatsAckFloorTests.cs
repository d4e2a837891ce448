using SocketDaemon.Listeners.Internal;

namespace SocketDaemon.Tests.Nats;

/// <summary>
/// <c>AckPolicy: All</c>: JetStream takes an acknowledgement of a stream sequence for every pending message at or below
/// it, so the one a batch sends must cover only committed messages: none asked for again, none delivered before the
/// session and not yet back, none lost on the way.
/// </summary>
public class NatsAckFloorTests
{
    [Fact]
    public void A_batch_of_committed_messages_is_acknowledged_by_its_highest_sequence_alone()
    {
        var floor = Started();
        var delivery = 1UL;
        for (var sequence = 1UL; sequence <= 5; sequence++)
        {
            floor.Add(sequence, delivery++, false, true, $"m{sequence}");
        }

        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m5", message);
        Assert.False(floor.TryTake(out _));
    }

    [Fact]
    public void A_message_asked_for_again_holds_every_acknowledgement_above_it_until_a_later_copy_is_committed()
    {
        var floor = Started();
        floor.Add(1, 1, false, true, "m1");
        floor.Add(2, 2, false, false, "m2");
        floor.Add(3, 3, false, true, "m3");
        floor.Add(4, 4, false, true, "m4");

        // Only below the refused one.
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m1", message);

        // Later batches above it wait too.
        floor.Add(5, 5, false, true, "m5");
        Assert.False(floor.TryTake(out _));
        Assert.True(floor.Holding);

        // Refused again: still held.
        floor.Add(2, 6, true, false, "m2 again");
        Assert.False(floor.TryTake(out _));

        // Its next copy is committed: everything waiting is covered by the highest.
        floor.Add(2, 7, true, true, "m2 logged");
        Assert.True(floor.TryTake(out message));
        Assert.Equal("m5", message);
        Assert.False(floor.Holding);
    }

    [Fact]
    public void Between_two_refused_messages_the_highest_committed_below_the_lower_is_acknowledged_and_then_the_next_stretch()
    {
        var floor = Started();
        floor.Add(1, 1, false, true, "m1");
        floor.Add(2, 2, false, false, "m2");
        floor.Add(3, 3, false, true, "m3");
        floor.Add(4, 4, false, false, "m4");
        floor.Add(5, 5, false, true, "m5");
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m1", message);

        floor.Add(2, 6, true, true, "m2 logged");
        Assert.True(floor.TryTake(out message));
        Assert.Equal("m3", message);

        floor.Add(4, 7, true, true, "m4 logged");
        Assert.True(floor.TryTake(out message));
        Assert.Equal("m5", message);
    }

    [Fact]
    public void A_second_copy_asked_for_again_in_the_batch_that_logged_the_first_stays_unresolved_until_it_comes_back()
    {
        var floor = Started();
        floor.Add(1, 1, false, true, "m1");
        floor.Add(2, 2, false, true, "m2");
        floor.Add(1, 3, true, false, "m1 copy");
        floor.Add(3, 4, false, true, "m3");
        Assert.False(floor.TryTake(out _));

        // The copy comes back and is found in the journal.
        floor.Add(1, 5, true, true, "m1 from the journal");
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m3", message);
    }

    [Fact]
    public void Out_of_order_redeliveries_take_the_newest_handle_and_acknowledge_in_order()
    {
        var floor = Started();
        floor.Add(10, 1, false, false, "m10");
        floor.Add(20, 2, false, true, "m20");
        floor.Add(30, 3, false, true, "m30");
        floor.Add(15, 4, false, true, "m15");
        Assert.False(floor.TryTake(out _));

        // AckWait passed: 30 and 20 came again (newer deliveries), then 10 is committed.
        floor.Add(30, 5, true, true, "m30 again");
        floor.Add(20, 6, true, true, "m20 again");
        floor.Add(10, 7, true, true, "m10 logged");
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m30 again", message);
    }

    [Fact]
    public void Messages_pending_before_the_session_hold_every_acknowledgement_until_each_came_back_committed()
    {
        // Floor 100 (consumer sequence 30), last delivery 40, 3 pending: sequences above 100 the filter subject
        // leaves unknown, say 105, 117 and 130.
        var floor = new NatsAckFloor<string>();
        floor.Start(100, 30, 40, 3);
        floor.Add(131, 41, false, true, "m131");
        floor.Add(132, 42, false, true, "m132");
        Assert.False(floor.TryTake(out _));
        Assert.True(floor.AwaitingEarlier);

        // Back after AckWait: the first from the journal, one refused, one logged.
        floor.Add(105, 43, true, true, "m105");
        floor.Add(117, 44, true, false, "m117");
        floor.Add(130, 45, true, true, "m130");
        Assert.False(floor.TryTake(out _));

        // The refused one's next copy: three distinct sequences committed, all that was pending.
        floor.Add(133, 46, false, true, "m133");
        floor.Add(117, 47, true, true, "m117 logged");
        Assert.False(floor.AwaitingEarlier);
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m133", message);
    }

    [Fact]
    public void A_message_pending_before_the_session_counts_once_however_often_it_comes()
    {
        var floor = new NatsAckFloor<string>();
        floor.Start(0, 0, 10, 2);
        floor.Add(4, 11, true, true, "m4");
        floor.Add(4, 12, true, true, "m4 again");
        floor.Add(11, 13, false, true, "m11");
        Assert.False(floor.TryTake(out _));

        floor.Add(9, 14, true, true, "m9");
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m11", message);
    }

    [Fact]
    public void An_entry_pending_at_or_below_the_floor_counts_when_it_comes_again_and_is_covered()
    {
        // nats-server 2.9 may keep a pending entry below the ack floor and deliver it again and again.
        var floor = new NatsAckFloor<string>();
        floor.Start(100, 30, 40, 1);
        Assert.True(floor.Covers(100));
        Assert.False(floor.Covers(101));
        floor.Add(101, 41, false, true, "m101");
        Assert.False(floor.TryTake(out _));

        floor.Add(97, 42, true, true, "m97 again");
        Assert.False(floor.AwaitingEarlier);
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m101", message);
        Assert.True(floor.Covers(101));
    }

    [Fact]
    public void First_deliveries_of_the_session_and_their_copies_do_not_count_for_the_messages_pending_before_it()
    {
        var floor = new NatsAckFloor<string>();
        floor.Start(0, 0, 10, 1);
        var delivery = 11UL;
        for (var sequence = 11UL; sequence <= 20; sequence++)
        {
            floor.Add(sequence, delivery++, false, true, $"m{sequence}");
        }

        // AckWait passed: the session's own deliveries come again.
        for (var sequence = 11UL; sequence <= 20; sequence++)
        {
            floor.Add(sequence, delivery++, true, true, $"m{sequence} again");
        }

        Assert.False(floor.TryTake(out _));
        Assert.True(floor.AwaitingEarlier);
    }

    [Fact]
    public void A_missed_delivery_stops_every_acknowledgement()
    {
        var floor = Started();
        floor.Add(1, 1, false, true, "m1");

        // Consumer sequence 2 never came: its stream sequence is unknown, maybe below 3.
        floor.Add(3, 3, false, true, "m3");
        Assert.True(floor.Missed);
        Assert.Equal((2UL, 3UL), floor.MissedAt);
        Assert.False(floor.TryTake(out _));
    }

    [Fact]
    public void The_first_delivery_of_a_session_must_follow_the_consumers_last()
    {
        var floor = new NatsAckFloor<string>();
        floor.Start(50, 70, 70, 0);
        floor.Add(52, 72, false, true, "m52");
        Assert.True(floor.Missed);
        Assert.False(floor.TryTake(out _));

        floor.Start(50, 70, 72, 1);
        floor.Add(53, 73, false, true, "m53");
        floor.Add(52, 74, true, true, "m52 again");
        Assert.False(floor.Missed);
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m53", message);
    }

    [Fact]
    public void A_copy_at_or_below_the_acknowledged_floor_changes_nothing()
    {
        var floor = Started();
        floor.Add(1, 1, false, true, "m1");
        floor.Add(2, 2, false, true, "m2");
        Assert.True(floor.TryTake(out _));

        // A copy fetched before the acknowledgement went, refused: JetStream has settled it already.
        floor.Add(2, 3, true, false, "m2 copy");
        floor.Add(3, 4, false, true, "m3");
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m3", message);
    }

    [Fact]
    public void A_copy_delivered_before_the_last_acknowledged_one_is_not_the_one_acknowledged_as_JetStream_would_ignore_it()
    {
        var floor = Started();
        floor.Add(1, 1, false, false, "m1");
        floor.Add(5, 2, false, true, "m5");
        floor.Add(3, 3, false, false, "m3");
        Assert.False(floor.TryTake(out _));

        // 1 comes back as delivery 4 and is logged: acknowledged, below the refused 3.
        floor.Add(1, 4, true, true, "m1 logged");
        Assert.True(floor.TryTake(out var message));
        Assert.Equal("m1 logged", message);

        // 3 is logged as delivery 5: 5 (delivery 2, older than 4) would be ignored, so 3 is acknowledged.
        floor.Add(3, 5, true, true, "m3 logged");
        Assert.True(floor.TryTake(out message));
        Assert.Equal("m3 logged", message);
        Assert.True(floor.Holding);

        // 5's next copy, after AckWait, is acknowledged.
        floor.Add(5, 6, true, true, "m5 again");
        Assert.True(floor.TryTake(out message));
        Assert.Equal("m5 again", message);
        Assert.False(floor.Holding);
    }

    [Theory]
    [InlineData("$JS.ACK.LOGS.aggregators.1.417.523.1764791234000000000.12", 417UL, 523UL)]
    [InlineData("$JS.ACK.hub.ACCHASH.LOGS.aggregators.2.9.10.1764791234000000000.0.XYZ", 9UL, 10UL)]
    public void The_reply_subject_names_the_stream_and_the_consumer_sequence(string replyTo, ulong stream, ulong consumer)
    {
        Assert.True(NatsReplySubject.TrySequences(replyTo, out var parsedStream, out var parsedConsumer, out _));
        Assert.Equal((stream, consumer), (parsedStream, parsedConsumer));
    }

    private static NatsAckFloor<string> Started()
    {
        var floor = new NatsAckFloor<string>();
        floor.Start(0, 0, 0, 0);
        return floor;
    }
}
