using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Hosting.Configuration;
using SocketDaemon.Hosting.Internal;
using SocketDaemon.Hosting.Systemd;
using SocketDaemon.Hosting.Validation;
using SocketDaemon.Protocols.Http;
using SocketDaemon.Nats;
using SocketDaemon.Protocols.Native;
using SocketDaemon.Status;
using SocketDaemon.Listeners;
using SocketDaemon.Listeners.Internal;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Sinks;
using SocketDaemon.Syslog;
using SocketDaemon.SyslogOutput;
using SocketDaemon.PostgresOutput;
using SocketDaemon.Connections;
using SocketDaemon.Connections.Unconsumed;
using SocketDaemon.Protocols.Raw;
using SocketDaemon.Pipeline.Parsing;
using SocketDaemon.Pipeline.Tail;
using SocketDaemon.Systemd;
using SocketDaemon.Diagnostics;
using SocketDaemon.Configuration;

namespace SocketDaemon.Hosting;

/// <summary>Registers the daemon's services.</summary>
public static class SocketDaemonServiceCollectionExtensions
{
    /// <summary>
    /// Adds the listeners, the pipeline with its built-in handlers, and the options bound from the <c>SocketDaemon</c>
    /// section of <paramref name="configuration"/>, validated at start.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The configuration holding the <c>SocketDaemon</c> section.</param>
    /// <param name="listen">Endpoints that replace the configured listeners, as <c>--listen</c> gives them.</param>
    /// <param name="commandLine">The command line's own configuration keys, which apply to the listeners <paramref name="listen"/> makes.</param>
    public static IServiceCollection AddSocketDaemon(this IServiceCollection services, IConfiguration configuration, IReadOnlyList<string>? listen = null, IConfiguration? commandLine = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Bound without a change-token source: the configuration is re-read on SIGHUP (ReloadService), validated before
        // it is used, and a bad edit of a file never reaches an options monitor in the middle of a change event.
        services.TryAddSingleton<ConfigurationProblems>();
        services.AddOptions<SocketDaemonOptions>()
            .Configure<IEnumerable<MessageHandlerRegistration>, ConfigurationProblems>((options, handlers, problems) =>
                SocketDaemonConfiguration.Bind(configuration, options, handlers, problems))
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<SocketDaemonOptions>>(sp => new ApplyDefaultListeners(listen ?? [], sp.GetRequiredService<SocketActivation>(), commandLine, sp.GetRequiredService<ConfigurationProblems>()));

        // The configuration check's problems first, then the values' own.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SocketDaemonOptions>, ConfigurationProblemsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SocketDaemonOptions>, SocketDaemonOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LogFileOptions>, LogFileOptionsValidator>());
        services.AddSingleton<IValidateOptions<SocketDaemonOptions>>(static sp => new SectionValidator<LogFileOptions>(static o => o.LogFiles, sp.GetServices<IValidateOptions<LogFileOptions>>()));

        // One bind and one validation of the whole section; each folder takes only its part, made from the validated root.
        services.TryAddSingleton(static sp => Options.Create(Root(sp).SharedPart()));
        services.TryAddSingleton(static sp => Options.Create(Root(sp).ListenerPart()));
        services.TryAddSingleton(static sp => Options.Create(Root(sp).PipelinePart()));
        services.TryAddSingleton(static sp => Options.Create(Root(sp).Commands));
        services.TryAddSingleton(static sp => Options.Create(Root(sp).Nats));
        services.TryAddSingleton(static sp => Options.Create(Root(sp).LogFiles));
        services.TryAddSingleton(static sp => Options.Create(Root(sp).Systemd));

        // Read before anything else runs, and only once: the variables are removed as they are read.
        var activation = SocketActivation.FromEnvironment();
        services.TryAddSingleton(activation);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ListenerRegistry>();
        services.TryAddSingleton<IListenerCommands>(static sp => sp.GetRequiredService<ListenerRegistry>());
        services.TryAddSingleton<DaemonCommands>();
        services.TryAddSingleton(static sp => new DaemonStatusProvider(sp.GetRequiredService<ListenerRegistry>(), sp.GetService<TimeProvider>(), sp.GetService<ForwardHandlers>()) { Nats = sp.GetService<NatsPublishers>(), Metrics = sp.GetService<SocketDaemonMetrics>(), Parsing = sp.GetService<Syslog.ParseCounters>(), Syslogs = () => (sp.GetService<SyslogOutputs>()?.Running.Select(static h => h.GetStatus()) ?? []).Concat(sp.GetService<PostgresOutputs>()?.Running.Select(static h => h.GetStatus()) ?? []), SyslogTruncations = () => sp.GetService<SyslogOutputs>()?.Running.Select(static h => (h.Options.Spool, h.Truncated)) ?? [], LogReopens = () => sp.GetService<MessageLogFiles>()?.GetReopens() ?? [] });
        services.TryAddSingleton(static sp => new DaemonHealth(sp.GetRequiredService<ListenerRegistry>(), sp.GetRequiredService<MessageLogFiles>()) { Outputs = () => sp.GetService<PostgresOutputs>()?.Running.Select(static h => h.Problem) ?? [] });
        services.TryAddSingleton<SocketDaemonMetrics>();
        services.TryAddSingleton<ListenerMetrics>();
        services.TryAddSingleton<HttpStatusHandler>();
        services.TryAddSingleton<NativeProtocolHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionProtocol, RawFramingProtocol>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionProtocol, HttpStatusHandler>(static sp => sp.GetRequiredService<HttpStatusHandler>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionProtocol, NativeProtocolHandler>(static sp => sp.GetRequiredService<NativeProtocolHandler>()));
        services.TryAddSingleton<ConnectionProtocols>();
        services.TryAddSingleton<NativeSessions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILogClaimJournal, NativeSessions>(static sp => sp.GetRequiredService<NativeSessions>()));
        services.TryAddSingleton<UnconsumedJournal>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILogClaimJournal, UnconsumedJournal>(static sp => sp.GetRequiredService<UnconsumedJournal>()));
        services.TryAddSingleton<MessageLogFiles>();
        services.TryAddSingleton<MessagePipeline>();
        services.TryAddSingleton<TailHub>();
        services.TryAddSingleton<ExecProcesses>();
        services.TryAddSingleton<ForwardHandlers>();
        services.AddSingleton(MessageHandlerRegistration.WithoutOptions("Commands", static builder => builder.UseCommands()));
        services.AddSingleton(MessageHandlerRegistration.Create(
            "Log",
            LogStepOptions.Shape(),
            static section =>
            {
                var options = new LogStepOptions();
                section.Bind(options);
                return options;
            },
            new LogStepValidator(),
            static (builder, step) => builder.UseLog(step)));
        services.TryAddSingleton<Syslog.ParseCounters>();
        services.AddSingleton(MessageHandlerRegistration.Create(
            "Parse",
            ParseOptions.Shape(),
            static section =>
            {
                var options = new ParseOptions();
                section.Bind(options);
                return options;
            },
            validator: null,
            static (builder, step) => builder.UseParse(step)));
        services.AddSingleton(MessageHandlerRegistration.Create(
            "Filter",
            FilterStepOptions.Shape(),
            static section =>
            {
                var options = new FilterStepOptions();
                section.Bind(options);
                return options;
            },
            new FilterStepValidator(),
            static (builder, step) => builder.UseFilter(step)));
        services.AddSingleton(MessageHandlerRegistration.Create(
            "Exec",
            ExecStepOptions.Shape(),
            static section =>
            {
                var options = new ExecStepOptions();
                section.Bind(options);
                return options;
            },
            new ExecStepValidator(),
            static (builder, step) => builder.UseExec(step)));
        services.AddSingleton(MessageHandlerRegistration.Create(
            "Forward",
            ForwardStepOptions.Shape(),
            static section =>
            {
                var options = new ForwardStepOptions();
                section.Bind(options);
                return options;
            },
            new ForwardStepValidator(),
            static (builder, step) => builder.UseForward(step)));
        services.AddNats();
        services.AddSingleton<IValidateOptions<SocketDaemonOptions>>(static sp => new SectionValidator<NatsOptions>(
            static o => o.Nats, sp.GetServices<IValidateOptions<NatsOptions>>(), static o => NatsOptionsValidator.ListenerProblems(o.Listeners)));
        services.AddSyslogOutput();
        services.AddPostgresOutput();
        services.AddMessageSinks();
        services.TryAddSingleton<ListenerHostedService>();
        services.AddHostedService(static sp => sp.GetRequiredService<ListenerHostedService>());
        services.AddHostedService<ReloadService>();
        services.TryAddSingleton(_ => SystemdNotifier.FromEnvironment());
        services.TryAddSingleton<FileDescriptorStore>();
        services.AddHostedService<SystemdNotifyService>();
        return services;
    }

    /// <summary>Adds <see cref="CommandsMiddleware"/>, configured from <c>SocketDaemon:Commands</c>.</summary>
    public static IMessagePipelineBuilder UseCommands(this IMessagePipelineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var commands = builder.ApplicationServices.GetRequiredService<DaemonCommands>();
        return builder.Use(next => new CommandsMiddleware(next, commands).InvokeAsync);
    }

    /// <summary>
    /// Adds a <see cref="LogHandler"/> writing the file <paramref name="step"/> names. Without match conditions it ends
    /// the pipeline; with them it writes the messages that match (and, unless <c>Final</c> is false, ends theirs)
    /// and passes the others on, so several Log steps route messages to several files.
    /// </summary>
    public static IMessagePipelineBuilder UseLog(this IMessagePipelineBuilder builder, LogStepOptions? step = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        step ??= new LogStepOptions();
        var files = builder.ApplicationServices.GetRequiredService<MessageLogFiles>();
        MessageDelegate handler = LogPathTemplate.IsTemplate(step.Path)
            ? new DynamicLogHandler(files.OpenDynamic(step), step.Format == LogFormat.Json).InvokeAsync
            : step.OutputTemplate is null
            ? (step.Format == LogFormat.Json ? new JsonLogHandler(files.OpenWriter(step)).InvokeAsync : new LogHandler(files.OpenWriter(step)).InvokeAsync)
            : new TemplateLogHandler(files.Open(step)).InvokeAsync;
        return builder.UseEnd(step, step.Final, handler);
    }

    /// <summary>Adds an <see cref="ExecHandler"/> running the child process <paramref name="step"/> names.</summary>
    public static IMessagePipelineBuilder UseExec(this IMessagePipelineBuilder builder, ExecStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(step);
        var options = new ExecOptions(step.Command!, step.Args, step.Mode == ExecMode.Transform, step.ConfirmWithOk, step.Timeout);
        var handler = new ExecHandler(options, builder.ApplicationServices.GetRequiredService<ILogger<ExecHandler>>());
        builder.ApplicationServices.GetRequiredService<ExecProcesses>().Add(handler);
        var counters = builder.ApplicationServices.GetRequiredService<SocketDaemonMetrics>().Output("exec", options.Command);
        return builder.Use(CountedOutput.Wrap(counters, handler.InvokeAsync));
    }

    /// <summary>
    /// Adds a <see cref="ForwardHandler"/> sending to the upstreams <paramref name="step"/> names. Like a Log step, it
    /// ends the pipeline of the messages it takes: all of them, or with match conditions those that match (the
    /// others go on), unless <c>Final</c> is false.
    /// </summary>
    public static IMessagePipelineBuilder UseForward(this IMessagePipelineBuilder builder, ForwardStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(step);
        var services = builder.ApplicationServices;
        var daemon = services.GetRequiredService<IOptions<SharedSettings>>().Value;
        var options = step.Spooled(
            new ForwardOptions([.. step.Upstreams.Select(SocketDaemon.Client.SocketEndpoint.Parse)], step.Balance == ForwardBalance.RoundRobin, step.BatchDelay, step.Tls()),
            ForwardHandlers.SpoolDirectory(daemon, step),
            daemon.Durability);
        return builder.UseEnd(step, step.Final, CountedOutput.Wrap(services, "forward", options.Spool, spools: true, services.GetRequiredService<ForwardHandlers>().Get(options).InvokeAsync));
    }

    // The bound, post-configured and validated section.
    private static SocketDaemonOptions Root(IServiceProvider services) => services.GetRequiredService<IOptions<SocketDaemonOptions>>().Value;

    /// <summary>Adds a <see cref="FilterMiddleware"/> with the conditions and <c>Action</c> of <paramref name="step"/>.</summary>
    public static IMessagePipelineBuilder UseFilter(this IMessagePipelineBuilder builder, FilterStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(step);
        var matcher = MessageMatcher.Create(step);
        var keep = step.Action == FilterAction.Keep;
        var metrics = builder.ApplicationServices.GetRequiredService<SocketDaemonMetrics>();
        return builder.Use(next => new FilterMiddleware(next, matcher, keep, metrics.FilterDropped).InvokeAsync);
    }
}
