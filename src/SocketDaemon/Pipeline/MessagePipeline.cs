using Microsoft.Extensions.Options;
using SocketDaemon.Hosting;

namespace SocketDaemon.Pipeline;

/// <summary>The pipeline built once at start from the <c>Pipeline</c> configuration and the registered handlers.</summary>
public sealed class MessagePipeline
{
    /// <summary>The steps used when <c>Pipeline</c> is not configured: commands first, then the message log.</summary>
    public static IReadOnlyList<PipelineStepOptions> DefaultSteps { get; } =
        [new PipelineStepOptions { Handler = "Commands" }, new PipelineStepOptions { Handler = "Log" }];

    /// <summary>Builds the pipeline.</summary>
    public MessagePipeline(IOptions<SocketDaemonOptions> options, IEnumerable<MessageHandlerRegistration> handlers, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handlers);
        var byName = handlers.ToDictionary(h => h.Name, StringComparer.OrdinalIgnoreCase);
        var builder = new MessagePipelineBuilder(services);
        foreach (var step in GetSteps(options.Value))
        {
            // Names were checked at start by SocketDaemonOptionsValidator.
            byName[step.Handler!].Add(builder, step);
        }

        Handler = builder.Build();
    }

    /// <summary>The first handler; calling it runs a message through the whole pipeline.</summary>
    public MessageDelegate Handler { get; }

    /// <summary>The configured steps, or <see cref="DefaultSteps"/>.</summary>
    public static IReadOnlyList<PipelineStepOptions> GetSteps(SocketDaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Pipeline.Count > 0 ? options.Pipeline : DefaultSteps;
    }
}
