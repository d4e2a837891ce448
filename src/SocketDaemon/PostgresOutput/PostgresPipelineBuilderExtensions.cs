using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocketDaemon.Configuration;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.PostgresOutput;

/// <summary>Registers the <c>Postgres</c> pipeline step and builds it.</summary>
public static class PostgresPipelineBuilderExtensions
{
    /// <summary>Adds the <c>Postgres</c> handler to the pipeline's registry, and the running outputs.</summary>
    public static IServiceCollection AddPostgresOutput(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<PostgresOutputs>();
        services.AddSingleton(MessageHandlerRegistration.Create(
            "Postgres",
            PostgresStepOptions.Shape(),
            static section => section.Get<PostgresStepOptions>() ?? new PostgresStepOptions(),
            new PostgresStepValidator(),
            static (builder, step) => builder.UsePostgres(step)));
        return services;
    }

    /// <summary>
    /// Adds a <see cref="PostgresHandler"/> writing to the table <paramref name="step"/> names. Like a Log step, it
    /// ends the pipeline of the messages it takes: all of them, or with match conditions those that match (the
    /// others go on), unless <c>Final</c> is false.
    /// </summary>
    public static IMessagePipelineBuilder UsePostgres(this IMessagePipelineBuilder builder, PostgresStepOptions step)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(step);
        var services = builder.ApplicationServices;
        var daemon = services.GetRequiredService<IOptions<SharedSettings>>().Value;
        if (!PostgresTableName.TryParse(step.Table, out var table, out var problem))
        {
            throw new ArgumentException(problem, nameof(step));
        }

        var options = step.Spooled(new PostgresOutputOptions(step.ConnectionString, table, step.CreateTable), SpoolDirectory(daemon, step), daemon.Durability);
        return builder.UseEnd(step, step.Final, CountedOutput.Wrap(services, "postgres", options.Spool, spools: true, services.GetRequiredService<PostgresOutputs>().Get(options).InvokeAsync));
    }

    /// <summary>The spool directory of a Postgres step: its <c>Spool</c>, else <c>spool/postgres</c> under the state directory.</summary>
    internal static string SpoolDirectory(SharedSettings options, PostgresStepOptions step) =>
        step.SpoolDirectory(DefaultLocations.StateDirectory(options), "postgres");
}
