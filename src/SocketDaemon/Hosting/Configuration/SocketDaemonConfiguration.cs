using Microsoft.Extensions.Configuration;
using SocketDaemon.Configuration;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Hosting.Configuration;

/// <summary>
/// Binds the <c>SocketDaemon</c> section after checking it against the options' shapes: keys nothing reads and
/// values of the wrong form become <see cref="ConfigurationProblems"/> (the values are left out of the binding, so
/// the other checks still run and every problem is listed at once), and each pipeline step is bound to its
/// handler's options type.
/// </summary>
internal static class SocketDaemonConfiguration
{
    /// <summary>Checks and binds <paramref name="configuration"/>'s <c>SocketDaemon</c> section into <paramref name="options"/>.</summary>
    public static void Bind(IConfiguration configuration, SocketDaemonOptions options, IEnumerable<MessageHandlerRegistration> handlers, ConfigurationProblems problems)
    {
        var registrations = new Dictionary<string, MessageHandlerRegistration>(StringComparer.OrdinalIgnoreCase);
        foreach (var handler in handlers)
        {
            registrations[handler.Name] = handler;
        }

        var section = configuration.GetSection(SocketDaemonOptions.SectionName);
        var badValues = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var found = ConfigurationChecker.Check(section, ShapeOf(registrations), badValues);
        var source = badValues.Count == 0 ? section : Without(section, badValues);
        try
        {
            source.Bind(options);
            var i = 0;
            foreach (var step in source.GetSection(nameof(SocketDaemonOptions.Pipeline)).GetChildren())
            {
                if (i < options.Pipeline.Count
                    && options.Pipeline[i].Handler is { } name
                    && registrations.TryGetValue(name, out var registration)
                    && registration.Bind is { } bind)
                {
                    options.Pipeline[i].Settings = bind(step);
                }

                i++;
            }
        }
        catch (InvalidOperationException ex)
        {
            // A value the shapes let through but the binder did not: still one line, with the others.
            found.Add(ex.Message);
        }

        problems.Set(found);
    }

    /// <summary>The shape of the whole section, with each step's keys those of its handler.</summary>
    public static ConfigurationShape ShapeOf(IReadOnlyDictionary<string, MessageHandlerRegistration> registrations) =>
        SocketDaemonOptions.Shape(handler => registrations.TryGetValue(handler, out var registration) ? registration.Shape : null);

    private static IConfigurationSection Without(IConfigurationSection section, HashSet<string> paths) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable().Where(pair => !paths.Contains(pair.Key)))
            .Build()
            .GetSection(section.Path);
}
