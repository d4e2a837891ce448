using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocketDaemon.Configuration;
using SocketDaemon.Diagnostics;
using SocketDaemon.Nats.Logged;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Nats;

/// <summary>Registers NATS JetStream: the <c>Nats</c> pipeline step and the checks of its configuration.</summary>
public static class NatsServiceCollectionExtensions
{
    /// <summary>The subject a <c>Nats</c> step publishes to when it names none.</summary>
    public const string DefaultSubject = "logs.{Host}.{Listener}";

    /// <summary>The stream a <c>Nats</c> step publishes to when it names none.</summary>
    public const string DefaultStream = "LOGS";

    /// <summary>Adds the <c>Nats</c> handler and its validator.</summary>
    public static IServiceCollection AddNats(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<NatsPublishers>();
        services.TryAddSingleton<NatsLoggedJournal>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILogClaimJournal, NatsLoggedJournal>(static sp => sp.GetRequiredService<NatsLoggedJournal>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NatsOptions>, NatsOptionsValidator>());
        services.AddSingleton(MessageHandlerRegistration.Create(
            "Nats",
            NatsStepOptions.Shape(),
            static section => section.Get<NatsStepOptions>() ?? new NatsStepOptions(),
            new NatsStepValidator(),
            static (builder, step) => builder.UseNats(step)));
        return services;
    }

    /// <summary>
    /// Adds a <see cref="NatsHandler"/> publishing to the stream <paramref name="step"/> names. Messages that match
    /// its conditions (all, without any) are published and, unless <c>Final</c> is false, go no further.
    /// </summary>
    public static IMessagePipelineBuilder UseNats(this IMessagePipelineBuilder builder, NatsStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(step);
        var services = builder.ApplicationServices;
        var options = services.GetRequiredService<IOptions<NatsOptions>>().Value;
        var publishers = services.GetRequiredService<NatsPublishers>();

        // Checked by NatsStepValidator.
        NatsSubjectTemplate.TryParse(step.Subject ?? DefaultSubject, publishers.Host, out var subject, out _);
        var outbox = publishers.Get(step.Url ?? options.Url, step.Stream ?? DefaultStream, subject!.StreamSubject);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("SocketDaemon.Nats");
        var handler = new NatsHandler(outbox, subject, publishers, step.Acknowledge == NatsAcknowledge.Nats, logger);
        return builder.UseMatching(MessageMatcher.Create(step), step.Final ?? true, CountedOutput.Wrap(services, "nats", step.Stream ?? DefaultStream, spools: true, handler.InvokeAsync));
    }
}
