using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SocketDaemon.Diagnostics;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.Sinks;

/// <summary>Registers the <c>Serilog</c> pipeline step: messages to the sinks a configuration section names.</summary>
public static class SinksServiceCollectionExtensions
{
    /// <summary>Adds the <c>Serilog</c> handler.</summary>
    public static IServiceCollection AddMessageSinks(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<MessageSinks>();
        services.AddSingleton(MessageHandlerRegistration.Create(
            "Serilog",
            SerilogStepOptions.Shape(),
            static section =>
            {
                var options = new SerilogStepOptions();
                section.Bind(options);
                return options;
            },
            new SerilogStepValidator(),
            static (builder, step) => builder.UseMessageSinks(step)));
        return services;
    }

    /// <summary>
    /// Adds a step writing each message, as the same event a <c>Log</c> step writes (<c>Text</c>, <c>Listener</c>,
    /// <c>Peer</c>, ...), to the sinks of the section <c>Section</c> names (default <c>Serilog:Messages</c>). The
    /// message then goes on, so a <c>Log</c> step after it still writes the file; with match conditions and
    /// <c>Final: true</c>, the messages it writes stop here.
    /// </summary>
    public static IMessagePipelineBuilder UseMessageSinks(this IMessagePipelineBuilder builder, SerilogStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(step);
        var sinks = builder.ApplicationServices.GetRequiredService<MessageSinks>();
        var section = step.Section ?? MessageSinks.DefaultSection;
        var handler = new TemplateLogHandler(sinks.Open(section));
        var counters = builder.ApplicationServices.GetRequiredService<SocketDaemonMetrics>().Output("serilog", section);
        var matcher = MessageMatcher.Create(step);
        return builder.UseMatching(matcher, matcher.HasConditions && step.Final == true, CountedOutput.Wrap(counters, spools: false, handler.InvokeAsync));
    }
}
