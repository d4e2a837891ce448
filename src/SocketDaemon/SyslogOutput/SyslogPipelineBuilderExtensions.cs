using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocketDaemon.Configuration;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.SyslogOutput;

/// <summary>Registers the <c>Syslog</c> pipeline step and builds it.</summary>
public static class SyslogPipelineBuilderExtensions
{
    /// <summary>Adds the <c>Syslog</c> handler to the pipeline's registry, and the running outputs.</summary>
    public static IServiceCollection AddSyslogOutput(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<SyslogOutputs>();
        services.AddSingleton(MessageHandlerRegistration.Create(
            "Syslog",
            SyslogStepOptions.Shape(),
            static section => section.Get<SyslogStepOptions>() ?? new SyslogStepOptions(),
            new SyslogStepValidator(),
            static (builder, step) => builder.UseSyslog(step)));
        return services;
    }

    /// <summary>
    /// Adds a <see cref="SyslogHandler"/> sending to the collectors <paramref name="step"/> names. Like a Log step, it
    /// ends the pipeline of the messages it takes: all of them, or with match conditions those that match (the
    /// others go on), unless <c>Final</c> is false.
    /// </summary>
    public static IMessagePipelineBuilder UseSyslog(this IMessagePipelineBuilder builder, SyslogStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(step);
        var services = builder.ApplicationServices;
        var daemon = services.GetRequiredService<IOptions<SharedSettings>>().Value;
        var options = step.Spooled(
            new SyslogOutputOptions(
                [.. step.Upstreams.Select(SocketDaemon.Client.SocketEndpoint.Parse)],
                step.Format,
                step.Framing,
                SyslogCodes.Facility(step.DefaultFacility) ?? 1,
                SyslogCodes.Severity(step.DefaultSeverity) ?? 5,
                step.MaxDatagramBytes,
                step.Tls()),
            SpoolDirectory(daemon, step),
            daemon.Durability);
        return builder.UseEnd(step, step.Final, CountedOutput.Wrap(services, "syslog", options.Spool, spools: true, services.GetRequiredService<SyslogOutputs>().Get(options).InvokeAsync));
    }

    /// <summary>The spool directory of a Syslog step: its <c>Spool</c>, else <c>spool/syslog</c> under the state directory.</summary>
    internal static string SpoolDirectory(SharedSettings options, SyslogStepOptions step) =>
        step.SpoolDirectory(DefaultLocations.StateDirectory(options), "syslog");
}
