namespace SocketDaemon.Pipeline;

/// <summary>Shorthands for adding handlers to an <see cref="IMessagePipelineBuilder"/>.</summary>
public static class MessagePipelineBuilderExtensions
{
    /// <summary>Adds an inline handler that may call <c>next</c> to pass the message on.</summary>
    public static IMessagePipelineBuilder Use(this IMessagePipelineBuilder builder, Func<MessageContext, MessageDelegate, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(handler);
        return builder.Use(next => context => handler(context, next));
    }

    /// <summary>Adds a terminal handler: messages that reach it go no further.</summary>
    public static IMessagePipelineBuilder Run(this IMessagePipelineBuilder builder, MessageDelegate handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(handler);
        return builder.Use(_ => handler);
    }

    /// <summary>
    /// Adds <paramref name="handler"/> for the messages <paramref name="matcher"/> matches; the others go on, and so do
    /// the matched ones unless <paramref name="final"/>: the routing of a step with conditions and <c>Final</c>.
    /// </summary>
    public static IMessagePipelineBuilder UseMatching(this IMessagePipelineBuilder builder, MessageMatcher matcher, bool final, MessageDelegate handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(handler);
        return builder.Use(async (context, next) =>
        {
            if (!matcher.Matches(context))
            {
                await next(context);
                return;
            }

            await handler(context);
            if (!final)
            {
                await next(context);
            }
        });
    }

    /// <summary>
    /// Adds <paramref name="handler"/> as a step that ends the pipeline: of every message, or with the match conditions
    /// of <paramref name="step"/> of those that match (the others go on), unless <paramref name="final"/> is false.
    /// </summary>
    public static IMessagePipelineBuilder UseEnd(this IMessagePipelineBuilder builder, StepConditions step, bool? final, MessageDelegate handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(step);
        var matcher = MessageMatcher.Create(step);
        return matcher.HasConditions ? builder.UseMatching(matcher, final ?? true, handler) : builder.Run(handler);
    }
}
