using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Configuration;
using SocketDaemon.Hosting.Configuration;
using SocketDaemon.Connections;
using SocketDaemon.Systemd;

namespace SocketDaemon.Hosting.Internal;

/// <summary>
/// Fills in what the configuration left out: <c>--listen</c> replaces the configured listeners; with no listener at
/// all, a socket-activated daemon serves every socket systemd passed, and any other takes the built-in ones (a Unix
/// socket in the runtime directory and TCP on loopback). Keys the command line gives for a listener <c>--listen</c>
/// made (<c>--SocketDaemon:Listeners:unix:Mode=0600</c>) apply to it; keys for any other listener are refused, since
/// <c>--listen</c> replaces the configured ones.
/// </summary>
internal sealed class ApplyDefaultListeners(
    IReadOnlyList<string> commandLineEndpoints,
    SocketActivation activation,
    IConfiguration? commandLine = null,
    ConfigurationProblems? problems = null) : IPostConfigureOptions<SocketDaemonOptions>
{
    public void PostConfigure(string? name, SocketDaemonOptions options)
    {
        if (commandLineEndpoints.Count > 0)
        {
            options.Listeners.Clear();
            foreach (var endpoint in commandLineEndpoints)
            {
                var listenerName = NameFor(options, endpoint);
                var listener = new ListenerOptions();
                try
                {
                    commandLine?.GetSection($"{ListenersKey}:{listenerName}").Bind(listener);
                }
                catch (InvalidOperationException)
                {
                    // A value of the wrong form, which the configuration check has reported already.
                }

                listener.Endpoint = endpoint;
                options.Listeners[listenerName] = listener;
            }

            RefuseOtherListeners(options);
        }

        // Socket-activated with no listener configured: serve every socket systemd passed, under its name.
        if (options.Listeners.Count == 0 && activation.IsActivated)
        {
            foreach (var fdName in activation.Sockets.Select(s => s.Name).Distinct(StringComparer.Ordinal))
            {
                options.Listeners[fdName] = new ListenerOptions { Endpoint = SocketActivation.EndpointPrefix + fdName };
            }
        }

        if (options.Listeners.Count == 0)
        {
            options.Listeners["local"] = new ListenerOptions { Endpoint = SocketDaemonDefaults.UnixEndpoint };
            options.Listeners["tcp"] = new ListenerOptions { Endpoint = SocketDaemonDefaults.TcpEndpoint };
        }

        options.LogDirectory = DefaultLocations.LogDirectory(options.LogDirectory);
    }

    private const string ListenersKey = $"{SocketDaemonOptions.SectionName}:{nameof(SocketDaemonOptions.Listeners)}";

    private void RefuseOtherListeners(SocketDaemonOptions options)
    {
        if (commandLine is null || problems is null)
        {
            return;
        }

        var made = string.Join(", ", options.Listeners.Keys);
        var refused = commandLine.GetSection(ListenersKey).GetChildren()
            .Where(listener => !options.Listeners.ContainsKey(listener.Key))
            .Select(listener => $"{listener.Path}: --listen replaces the configured listeners, and made {made}; name one of those, or configure this listener without --listen")
            .ToList();
        if (refused.Count > 0)
        {
            problems.Set([.. problems.Current, .. refused]);
        }
    }

    // "unix", "tcp", then "unix-2", ...: names that say what the listener is in logs and status.
    private static string NameFor(SocketDaemonOptions options, string endpoint)
    {
        var colon = endpoint.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 0 ? endpoint[..colon].ToLowerInvariant() : "listen";
        var name = scheme;
        for (var i = 2; options.Listeners.ContainsKey(name); i++)
        {
            name = $"{scheme}-{i}";
        }

        return name;
    }
}
