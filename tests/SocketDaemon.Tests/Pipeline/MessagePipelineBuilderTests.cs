using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Tests.Pipeline;

public class MessagePipelineBuilderTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().BuildServiceProvider();

    private static MessageContext Message(string text)
    {
        var context = new MessageContext("test", 1, PeerInfo.Unknown, Services);
        context.SetMessage(new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(text)), DateTimeOffset.UnixEpoch);
        return context;
    }

    [Fact]
    public async Task Middleware_runs_in_the_order_it_was_added()
    {
        var seen = new List<string>();
        var pipeline = new MessagePipelineBuilder(Services)
            .Use(async (context, next) =>
            {
                seen.Add("first");
                await next(context);
                seen.Add("first, after");
            })
            .Use(async (context, next) =>
            {
                seen.Add("second: " + context.Text);
                await next(context);
            })
            .Build();

        await pipeline(Message("hello"));

        Assert.Equal(["first", "second: hello", "first, after"], seen);
    }

    [Fact]
    public async Task A_handler_that_does_not_call_next_ends_the_message()
    {
        var reachedEnd = false;
        var pipeline = new MessagePipelineBuilder(Services)
            .Use((context, next) => context.Text == "drop" ? ValueTask.CompletedTask : next(context))
            .Run(_ =>
            {
                reachedEnd = true;
                return ValueTask.CompletedTask;
            })
            .Build();

        await pipeline(Message("drop"));

        Assert.False(reachedEnd);
    }

    [Fact]
    public async Task An_empty_pipeline_completes() => await new MessagePipelineBuilder(Services).Build()(Message("x"));

    [Fact]
    public void The_text_is_decoded_again_for_the_next_message_of_the_connection()
    {
        var context = Message("first");
        Assert.Equal("first", context.Text);

        context.SetMessage(new ReadOnlySequence<byte>("second"u8.ToArray()), DateTimeOffset.UnixEpoch);

        Assert.Equal("second", context.Text);
        Assert.True(context.PayloadEquals("second"u8));
    }
}
