using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Syslog;

namespace SocketDaemon.Pipeline.Parsing;

/// <summary>Adds the <c>Parse</c> step to a pipeline.</summary>
public static class ParsePipelineBuilderExtensions
{
    /// <summary>Adds a <see cref="ParseMiddleware"/> reading messages as <paramref name="options"/> says.</summary>
    public static IMessagePipelineBuilder UseParse(this IMessagePipelineBuilder builder, ParseOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var counters = builder.ApplicationServices.GetRequiredService<ParseCounters>();
        return builder.Use(next => new ParseMiddleware(next, options, counters).InvokeAsync);
    }
}
