namespace SocketDaemon.Pipeline;

/// <summary>The default <see cref="IMessagePipelineBuilder"/>, shaped like ASP.NET Core's connection builder.</summary>
public sealed class MessagePipelineBuilder : IMessagePipelineBuilder
{
    private readonly List<Func<MessageDelegate, MessageDelegate>> _components = [];

    /// <summary>Creates a builder over <paramref name="applicationServices"/>.</summary>
    public MessagePipelineBuilder(IServiceProvider applicationServices)
    {
        ArgumentNullException.ThrowIfNull(applicationServices);
        ApplicationServices = applicationServices;
    }

    /// <inheritdoc />
    public IServiceProvider ApplicationServices { get; }

    /// <inheritdoc />
    public IMessagePipelineBuilder Use(Func<MessageDelegate, MessageDelegate> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        _components.Add(middleware);
        return this;
    }

    /// <inheritdoc />
    public MessageDelegate Build()
    {
        MessageDelegate pipeline = static _ => ValueTask.CompletedTask;
        for (var i = _components.Count - 1; i >= 0; i--)
        {
            pipeline = _components[i](pipeline);
        }

        return pipeline;
    }
}
