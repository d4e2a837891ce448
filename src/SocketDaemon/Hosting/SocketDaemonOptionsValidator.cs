using Microsoft.Extensions.Options;
using SocketDaemon.Configuration;
using SocketDaemon.Hosting.Validation;
using SocketDaemon.Internal;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Pipeline;
using SocketDaemon.Systemd;

namespace SocketDaemon.Hosting;

/// <summary>
/// Checks the <c>SocketDaemon</c> section at start and on reload, so that a bad value stops the daemon with one line
/// that names its key, rather than failing later on a connection. Listeners and limits have their own checks; each
/// pipeline step is checked by the validator its handler registered.
/// </summary>
public sealed class SocketDaemonOptionsValidator : IValidateOptions<SocketDaemonOptions>
{
    private readonly Dictionary<string, MessageHandlerRegistration> _handlers;

    /// <summary>Creates the validator; <paramref name="handlers"/> are the names a pipeline step may use.</summary>
    public SocketDaemonOptionsValidator(IEnumerable<MessageHandlerRegistration> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        _handlers = new Dictionary<string, MessageHandlerRegistration>(StringComparer.OrdinalIgnoreCase);
        foreach (var handler in handlers)
        {
            _handlers[handler.Name] = handler;
        }
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SocketDaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Root = SocketDaemonOptions.SectionName;

        if (options.Listeners.Count == 0 || options.Listeners.Values.All(l => !l.Enabled))
        {
            failures.Add($"{Root}:Listeners: no listener is enabled, so the daemon would accept nothing");
        }

        foreach (var (listener, o) in options.Listeners)
        {
            ListenerValidation.Validate(failures, $"{Root}:Listeners:{listener}", o);
        }

        var limits = options.Limits;
        LimitsValidation.Validate(failures, $"{Root}:Limits", limits.MaxMessageBytes, limits.MaxConnections, limits.MaxConnectionsPerPeer, limits.IdleTimeout, limits.FrameTimeout, limits.MaxConnectionAge, limits.MinDataRate, limits.RateLimit);
        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            failures.Add($"{Root}:ShutdownTimeout: {options.ShutdownTimeout} is negative");
        }

        if (!SystemdOptions.FileDescriptorStoreValues.Contains(options.Systemd.FileDescriptorStore, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{Root}:Systemd:FileDescriptorStore: '{options.Systemd.FileDescriptorStore}' is not one of {string.Join(", ", SystemdOptions.FileDescriptorStoreValues)}");
        }

        if (DirectoryValidation.Problem(DefaultLocations.LogDirectory(options.LogDirectory)) is { } logDirectory)
        {
            failures.Add($"{Root}:LogDirectory: {logDirectory}");
        }
        else if (DirectoryValidation.Problem(DefaultLocations.StateDirectory(options.SharedPart())) is { } stateDirectory)
        {
            failures.Add($"{Root}:StateDirectory: {stateDirectory}");
        }

        ValidateQuit(failures, options.Commands.Quit);
        ValidatePipeline(failures, options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateQuit(List<string> failures, QuitCommandOptions quit)
    {
        const string Key = $"{SocketDaemonOptions.SectionName}:Commands:Quit";
        if (string.IsNullOrEmpty(quit.Message))
        {
            failures.Add($"{Key}:Message: the quit message is empty");
        }

        for (var i = 0; i < quit.AllowedUids?.Count; i++)
        {
            var uid = quit.AllowedUids[i];
            if (!string.Equals(uid, QuitCommandOptions.SelfUid, StringComparison.OrdinalIgnoreCase) && !Libc.TryResolveId(uid, group: false, out _))
            {
                failures.Add($"{Key}:AllowedUids:{i}: '{uid}' is not 'self', a user id or a user on this system");
            }
        }
    }

    // Each step: a known handler, then that handler's own validator.
    private void ValidatePipeline(List<string> failures, SocketDaemonOptions options)
    {
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        var steps = MessagePipeline.GetSteps(options.PipelinePart());
        var common = options.SharedPart();
        for (var i = 0; i < steps.Count; i++)
        {
            var key = $"{SocketDaemonOptions.SectionName}:Pipeline:{i}";
            var handler = steps[i].Handler;
            if (handler is null || !_handlers.TryGetValue(handler, out var registration))
            {
                failures.Add($"{key}:Handler: '{handler}' is not a handler; known handlers are {string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal))}");
                continue;
            }

            registration.Validate?.Invoke(new PipelineStepValidation(key, common, failures, claims), steps[i].Settings);
        }
    }
}
