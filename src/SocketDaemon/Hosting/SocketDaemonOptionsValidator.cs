using System.Globalization;
using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Internal;
using SocketDaemon.Listeners.Systemd;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Connections;
using SocketDaemon.Transport;

namespace SocketDaemon.Hosting;

/// <summary>
/// Checks the whole <c>SocketDaemon</c> section at start, so that a bad value stops the daemon with one line that
/// names its key, rather than failing later on a connection.
/// </summary>
public sealed class SocketDaemonOptionsValidator : IValidateOptions<SocketDaemonOptions>
{
    private readonly HashSet<string> _handlers;

    /// <summary>Creates the validator; <paramref name="handlers"/> are the names a pipeline step may use.</summary>
    public SocketDaemonOptionsValidator(IEnumerable<MessageHandlerRegistration> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        _handlers = new HashSet<string>(handlers.Select(h => h.Name), StringComparer.OrdinalIgnoreCase);
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
            var key = $"{Root}:Listeners:{listener}";
            if (o.Endpoint?.StartsWith(SocketActivation.EndpointPrefix, StringComparison.Ordinal) == true)
            {
                if (o.Endpoint.Length == SocketActivation.EndpointPrefix.Length)
                {
                    failures.Add($"{key}:Endpoint: systemd: needs the FileDescriptorName= of the socket, as in systemd:socketdaemon");
                }
            }
            else if (!SocketEndpoint.TryParse(o.Endpoint, out _, out var error))
            {
                failures.Add($"{key}:Endpoint: {error}");
            }

            if (o.Backlog is < 1)
            {
                failures.Add($"{key}:Backlog: {o.Backlog} is not a positive number");
            }

            ValidateLimits(failures, key, o.MaxMessageBytes, o.MaxConnections, o.MaxConnectionsPerPeer, o.IdleTimeout, o.FrameTimeout, o.MaxConnectionAge, o.MinDataRate, o.RateLimit);

            if (!IsOctalMode(o.Mode))
            {
                failures.Add($"{key}:Mode: '{o.Mode}' is not an octal file mode such as 0660");
            }

            ValidateAccess(failures, key, o);
        }

        var limits = options.Limits;
        ValidateLimits(failures, $"{Root}:Limits", limits.MaxMessageBytes, limits.MaxConnections, limits.MaxConnectionsPerPeer, limits.IdleTimeout, limits.FrameTimeout, limits.MaxConnectionAge, limits.MinDataRate, limits.RateLimit);
        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            failures.Add($"{Root}:ShutdownTimeout: {options.ShutdownTimeout} is negative");
        }

        if (!SystemdOptions.FileDescriptorStoreValues.Contains(options.Systemd.FileDescriptorStore, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{Root}:Systemd:FileDescriptorStore: '{options.Systemd.FileDescriptorStore}' is not one of {string.Join(", ", SystemdOptions.FileDescriptorStoreValues)}");
        }

        var quit = options.Commands.Quit;
        if (string.IsNullOrEmpty(quit.Message))
        {
            failures.Add($"{Root}:Commands:Quit:Message: the quit message is empty");
        }

        for (var i = 0; i < quit.AllowedUids?.Count; i++)
        {
            var uid = quit.AllowedUids[i];
            if (!string.Equals(uid, QuitCommandOptions.SelfUid, StringComparison.OrdinalIgnoreCase)
                && !uint.TryParse(uid, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                failures.Add($"{Root}:Commands:Quit:AllowedUids:{i}: '{uid}' is neither a user id nor 'self'");
            }
        }

        var forwardSpools = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Pipeline.Count; i++)
        {
            var handler = options.Pipeline[i].Handler;
            if (handler is null || !_handlers.Contains(handler))
            {
                failures.Add($"{Root}:Pipeline:{i}:Handler: '{handler}' is not a handler; known handlers are {string.Join(", ", _handlers.Order(StringComparer.Ordinal))}");
            }

            try
            {
                _ = MessageMatcher.Create(options.Pipeline[i]);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{Root}:Pipeline:{i}:{ex.Message}");
            }

            if (string.Equals(handler, "Exec", StringComparison.OrdinalIgnoreCase))
            {
                if (string.IsNullOrWhiteSpace(options.Pipeline[i].Command))
                {
                    failures.Add($"{Root}:Pipeline:{i}:Command: an Exec step needs the program to run");
                }

                if (options.Pipeline[i].Mode is { } mode && mode.ToLowerInvariant() is not ("transform" or "consume"))
                {
                    failures.Add($"{Root}:Pipeline:{i}:Mode: '{mode}' is neither transform nor consume");
                }
            }

            if (string.Equals(handler, "Forward", StringComparison.OrdinalIgnoreCase))
            {
                ValidateForward(failures, options, i, forwardSpools);
            }

            if (options.Pipeline[i].Action is { } action && action.ToLowerInvariant() is not ("drop" or "keep"))
            {
                failures.Add($"{Root}:Pipeline:{i}:Action: '{action}' is neither drop nor keep");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateForward(List<string> failures, SocketDaemonOptions options, int index, HashSet<string> spools)
    {
        var step = options.Pipeline[index];
        var key = $"{SocketDaemonOptions.SectionName}:Pipeline:{index}";
        if (step.Upstreams.Count == 0)
        {
            failures.Add($"{key}:Upstreams: a Forward step needs at least one upstream, such as tcp://relay:7777");
        }

        for (var u = 0; u < step.Upstreams.Count; u++)
        {
            if (!SocketEndpoint.TryParse(step.Upstreams[u], out var endpoint, out _) || endpoint!.IsDatagram)
            {
                failures.Add($"{key}:Upstreams:{u}: '{step.Upstreams[u]}' is not a unix:, tcp:// or tls:// endpoint");
            }
        }

        if (step.Balance is { } balance && balance.ToLowerInvariant() is not ("failover" or "roundrobin"))
        {
            failures.Add($"{key}:Balance: '{balance}' is neither failover nor roundrobin");
        }

        if (step.Acknowledge is { } acknowledge && acknowledge.ToLowerInvariant() is not ("downstream" or "local"))
        {
            failures.Add($"{key}:Acknowledge: '{acknowledge}' is neither downstream nor local");
        }

        if (step.BatchSize is < 1 or > NativeProtocol.MaxBatchMessages)
        {
            failures.Add($"{key}:BatchSize: {step.BatchSize} is not between 1 and {NativeProtocol.MaxBatchMessages}");
        }

        if (step.BatchDelay < TimeSpan.Zero)
        {
            failures.Add($"{key}:BatchDelay: {step.BatchDelay} is negative");
        }

        if (step.SpoolMaxBytes is <= 0)
        {
            failures.Add($"{key}:SpoolMaxBytes: {step.SpoolMaxBytes} is not a positive size");
        }

        if (step.TlsCaFile is { } caFile && !File.Exists(caFile))
        {
            failures.Add($"{key}:TlsCaFile: {caFile} does not exist");
        }

        if (step.TlsKeyFile is not null && step.TlsCertificateFile is null)
        {
            failures.Add($"{key}:TlsKeyFile: a key needs its TlsCertificateFile");
        }
        else if (step.TlsCertificateFile is { } certificateFile)
        {
            try
            {
                using var certificate = new ForwardTlsOptions(null, certificateFile, step.TlsKeyFile, null).LoadClientCertificate();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                failures.Add($"{key}:TlsCertificateFile: {(File.Exists(certificateFile) ? ex.Message : $"{certificateFile} does not exist")}");
            }
        }

        // A spool has one writer: two steps on one directory would interleave their records.
        var spool = SocketDaemonServiceCollectionExtensions.ForwardSpoolDirectory(options, step);
        if (!spools.Add(spool))
        {
            failures.Add($"{key}:Spool: another Forward step uses the spool {spool}; give each step its own Spool directory");
        }
    }

    /// <summary>Owner, Group, the allow lists, Tls and ProxyProtocol of one listener.</summary>
    private static void ValidateAccess(List<string> failures, string key, ListenerOptions o)
    {
        var endpoint = SocketEndpoint.TryParse(o.Endpoint, out var parsed, out _) ? parsed : null;
        var tcp = endpoint?.Kind == SocketEndpointKind.Tcp;
        if (endpoint?.UseTls == true)
        {
            failures.Add($"{key}:Endpoint: tls:// is for clients; a listener is tcp:// with Tls:Certificate");
        }

        if (o.Owner is not null && !Libc.TryResolveId(o.Owner, group: false, out _))
        {
            failures.Add($"{key}:Owner: '{o.Owner}' is not a user on this system");
        }

        if (o.Group is not null && !Libc.TryResolveId(o.Group, group: true, out _))
        {
            failures.Add($"{key}:Group: '{o.Group}' is not a group on this system");
        }

        for (var i = 0; i < o.AllowUids?.Count; i++)
        {
            if (!Libc.TryResolveId(o.AllowUids[i], group: false, out _))
            {
                failures.Add($"{key}:AllowUids:{i}: '{o.AllowUids[i]}' is not a user id or a user on this system");
            }
        }

        for (var i = 0; i < o.AllowGids?.Count; i++)
        {
            if (!Libc.TryResolveId(o.AllowGids[i], group: true, out _))
            {
                failures.Add($"{key}:AllowGids:{i}: '{o.AllowGids[i]}' is not a group id or a group on this system");
            }
        }

        for (var i = 0; i < o.AllowAddresses?.Count; i++)
        {
            try
            {
                _ = AccessPolicy.ParseNetwork(o.AllowAddresses[i]);
            }
            catch (FormatException ex)
            {
                failures.Add($"{key}:AllowAddresses:{i}: {ex.Message}");
            }
        }

        // A list for the other kind of peer would let everyone in silently: credentials are never an address.
        var local = endpoint?.Kind is SocketEndpointKind.Unix or SocketEndpointKind.UnixDatagram;
        if (endpoint is not null && !local && (o.AllowUids is { Count: > 0 } || o.AllowGids is { Count: > 0 }))
        {
            failures.Add($"{key}:{(o.AllowUids is { Count: > 0 } ? "AllowUids" : "AllowGids")}: peers of {endpoint} have addresses, not user ids; use AllowAddresses");
        }

        if (endpoint is not null && local && o.AllowAddresses is { Count: > 0 })
        {
            failures.Add($"{key}:AllowAddresses: peers of {endpoint} have user ids, not addresses; use AllowUids or AllowGids");
        }

        if (o.ProxyProtocol && endpoint is not null && !tcp)
        {
            failures.Add($"{key}:ProxyProtocol: the PROXY protocol is for tcp:// listeners, not {endpoint}");
        }

        var tls = o.Tls;
        if (!tls.IsEnabled)
        {
            if (tls.ClientCertificate != TlsClientCertificateMode.None || tls.ClientCa is not null)
            {
                failures.Add($"{key}:Tls:Certificate: client certificates need TLS, and TLS needs the server's Certificate (or Thumbprint)");
            }

            return;
        }

        if (endpoint is not null && !tcp)
        {
            failures.Add($"{key}:Tls: TLS is for tcp:// listeners, not {endpoint}");
            return;
        }

        if (tls.ClientCa is not null)
        {
            try
            {
                _ = TlsServer.LoadCertificates(tls.ClientCa);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
            {
                failures.Add($"{key}:Tls:ClientCa: {(File.Exists(tls.ClientCa) ? ex.Message : $"{tls.ClientCa} does not exist")}");
            }
        }

        try
        {
            using var certificate = TlsServer.LoadCertificate(tls);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            failures.Add($"{key}:Tls:{(string.IsNullOrEmpty(tls.Certificate) ? "Thumbprint" : "Certificate")}: {ex.Message}");
        }
    }

    private const int MaxMessageBytesLimit = 16 * 1024 * 1024;

    // The same keys are limits for every listener (SocketDaemon:Limits) and for one (SocketDaemon:Listeners:NAME), where
    // an unset value falls back to the global one.
    private static void ValidateLimits(
        List<string> failures,
        string key,
        int? maxMessageBytes,
        int? maxConnections,
        int? maxConnectionsPerPeer,
        TimeSpan? idleTimeout,
        TimeSpan? frameTimeout,
        TimeSpan? maxConnectionAge,
        MinDataRateOptions? minDataRate,
        RateLimitOptions? rateLimit)
    {
        if (maxMessageBytes is < 1 or > MaxMessageBytesLimit)
        {
            failures.Add($"{key}:MaxMessageBytes: {maxMessageBytes} is not between 1 and {MaxMessageBytesLimit}");
        }

        AddIfNotPositive(failures, $"{key}:MaxConnections", maxConnections);
        AddIfNotPositive(failures, $"{key}:MaxConnectionsPerPeer", maxConnectionsPerPeer);
        AddIfNotPositive(failures, $"{key}:IdleTimeout", idleTimeout);
        AddIfNotPositive(failures, $"{key}:FrameTimeout", frameTimeout);
        AddIfNotPositive(failures, $"{key}:MaxConnectionAge", maxConnectionAge);
        ValidateMinDataRate(failures, $"{key}:MinDataRate", minDataRate);
        ValidateRateLimit(failures, $"{key}:RateLimit", rateLimit);
    }

    private static void AddIfNotPositive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key}: {value} is not a positive duration such as 00:00:30");
        }
    }

    private static void AddIfNotPositive(List<string> failures, string key, TimeSpan? value)
    {
        if (value is { } set)
        {
            AddIfNotPositive(failures, key, set);
        }
    }

    private static void AddIfNotPositive(List<string> failures, string key, int? value)
    {
        if (value is < 1)
        {
            failures.Add($"{key}: {value} is not a positive number");
        }
    }

    private static void ValidateMinDataRate(List<string> failures, string key, MinDataRateOptions? rate)
    {
        if (rate is null)
        {
            return;
        }

        if (!(rate.BytesPerSecond > 0) || double.IsInfinity(rate.BytesPerSecond))
        {
            failures.Add($"{key}:BytesPerSecond: {rate.BytesPerSecond} is not a positive number of bytes per second");
        }

        if (rate.GracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{key}:GracePeriod: {rate.GracePeriod} is negative");
        }
    }

    private static void ValidateRateLimit(List<string> failures, string key, RateLimitOptions? rate)
    {
        if (rate is null)
        {
            return;
        }

        AddIfNotPositive(failures, $"{key}:MessagesPerSecond", rate.MessagesPerSecond);
        AddIfNotPositive(failures, $"{key}:Burst", rate.Burst);
    }

    private static bool IsOctalMode(string? mode) =>
        !string.IsNullOrEmpty(mode) && mode.Length <= 4 && mode.All(c => c is >= '0' and <= '7') && Convert.ToInt32(mode, 8) <= 0x1FF;
}
