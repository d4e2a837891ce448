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
}
