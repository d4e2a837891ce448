namespace SocketDaemon.Pipeline;

/// <summary>
/// A handler that the <c>Pipeline</c> configuration can name. Register one as a singleton to make your own
/// handler available: <c>services.AddSingleton(new MessageHandlerRegistration("Mine", (b, step) => b.Use(...)))</c>.
/// </summary>
public sealed class MessageHandlerRegistration
{
    /// <summary>Registers <paramref name="name"/>; <paramref name="add"/> adds the handler for one configured step.</summary>
    public MessageHandlerRegistration(string name, Action<IMessagePipelineBuilder, PipelineStepOptions> add)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(add);
        Name = name;
        Add = add;
    }

    /// <summary>The name configuration uses in <c>Handler</c>.</summary>
    public string Name { get; }

    /// <summary>Adds the handler for one step to the builder.</summary>
    public Action<IMessagePipelineBuilder, PipelineStepOptions> Add { get; }
}
