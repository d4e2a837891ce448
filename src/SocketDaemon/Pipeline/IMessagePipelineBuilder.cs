namespace SocketDaemon.Pipeline;

/// <summary>Builds the chain of handlers every message runs through.</summary>
public interface IMessagePipelineBuilder
{
    /// <summary>The daemon's services, for handlers to take their dependencies from.</summary>
    IServiceProvider ApplicationServices { get; }

    /// <summary>Adds a middleware: a function of the next handler that returns this handler.</summary>
    IMessagePipelineBuilder Use(Func<MessageDelegate, MessageDelegate> middleware);

    /// <summary>Builds the pipeline. A message that passes the last handler is done.</summary>
    MessageDelegate Build();
}
