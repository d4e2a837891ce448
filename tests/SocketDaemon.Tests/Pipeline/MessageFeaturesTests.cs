using System.Buffers;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Tests.Pipeline;

/// <summary>Per-connection handler state as features of the message context: set once, found again, free afterwards.</summary>
public class MessageFeaturesTests
{
    [Fact]
    public void A_feature_set_is_found_by_its_type_and_an_unset_one_is_null()
    {
        var features = new MessageFeatures();
        var first = new FeatureA();

        features.Set(first);

        Assert.Same(first, features.Get<FeatureA>());
        Assert.Null(features.Get<FeatureB>());
        var second = new FeatureA();
        features.Set(second);
        Assert.Same(second, features.Get<FeatureA>());
    }

    [Fact]
    public async Task A_batch_feature_is_flushed_with_the_context_once_even_when_replaced()
    {
        var context = new MessageContext("test", 1, PeerInfo.Unknown, new NoServices()) { BatchWrites = true };
        var replaced = new CountingBatch();
        var current = new CountingBatch();
        context.Features.Set(replaced);
        context.Features.Set(current);

        await context.FlushAsync();

        Assert.Equal(0, replaced.Flushes);
        Assert.Equal(1, current.Flushes);
    }

    [Fact]
    public void Formatting_the_messages_of_a_connection_allocates_nothing_after_its_first_message()
    {
        var context = new MessageContext("test", 7, PeerInfo.FromCredentials(1, 2, 3, "app"), new NoServices()) { Framing = FramingKind.Lines };
        var payload = new ReadOnlySequence<byte>("a message of a connection"u8.ToArray());
        var line = new byte[4096];
        var time = DateTimeOffset.UtcNow;
        context.SetMessage(payload, time);
        MessageLineFormatter.Format(context, line.AsSpan(0, MessageLineFormatter.MaxLength(context)));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            context.SetMessage(payload, time);
            MessageLineFormatter.Format(context, line.AsSpan(0, MessageLineFormatter.MaxLength(context)));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private sealed class FeatureA;

    private sealed class FeatureB;

    private sealed class CountingBatch : IMessageBatchFeature
    {
        public int Flushes { get; private set; }

        public ValueTask FlushAsync(MessageContext context)
        {
            Flushes++;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
