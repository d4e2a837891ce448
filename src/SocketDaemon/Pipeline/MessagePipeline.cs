using Microsoft.Extensions.Options;
using SocketDaemon.Pipeline.Tail;

namespace SocketDaemon.Pipeline;

/// <summary>
/// The pipeline built at start from the <c>Pipeline</c> configuration and the registered handlers, and built again
/// on reload: connections call <see cref="Handler"/> for each message, so a rebuilt pipeline serves the next one.
/// </summary>
public sealed class MessagePipeline
{
    private readonly Dictionary<string, MessageHandlerRegistration> _handlers;
    private readonly IServiceProvider _services;
    private volatile MessageDelegate _handler;

    /// <summary>The steps used when <c>Pipeline</c> is not configured: commands first, then the message log.</summary>
    public static IReadOnlyList<PipelineStepOptions> DefaultSteps { get; } =
        [new PipelineStepOptions { Handler = "Commands" }, new PipelineStepOptions { Handler = "Log" }];

    /// <summary>Builds the pipeline.</summary>
    public MessagePipeline(IOptions<PipelineSteps> options, IEnumerable<MessageHandlerRegistration> handlers, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handlers);
        _handlers = handlers.ToDictionary(h => h.Name, StringComparer.OrdinalIgnoreCase);
        _services = services;
        _handler = Build(options.Value);
    }

    /// <summary>The first handler; calling it runs a message through the whole pipeline.</summary>
    public MessageDelegate Handler => _handler;

    /// <summary>Builds the pipeline of <paramref name="options"/> and puts it in place for the next message.</summary>
    public void Rebuild(PipelineSteps options) => _handler = Build(options);

    private MessageDelegate Build(PipelineSteps options)
    {
        var builder = new MessagePipelineBuilder(_services);
        foreach (var step in GetSteps(options))
        {
            // Names were checked by SocketDaemonOptionsValidator.
            _handlers[step.Handler!].Add(builder, step);
        }

        var pipeline = builder.Build();

        // Followers (socketctl tail) see every message as it enters, before any handler changes or drops it.
        if (_services.GetService(typeof(TailHub)) is not TailHub tail)
        {
            return pipeline;
        }

        return context =>
        {
            if (tail.HasSubscribers)
            {
                tail.Publish(context);
            }

            return pipeline(context);
        };
    }

    /// <summary>The configured steps, or <see cref="DefaultSteps"/>.</summary>
    public static IReadOnlyList<PipelineStepOptions> GetSteps(PipelineSteps options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Steps.Count > 0 ? options.Steps : DefaultSteps;
    }
}
