using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Configuration;
using SocketDaemon.Connections;

namespace SocketDaemon.Nats;

/// <summary>Checks <c>SocketDaemon:Nats</c> and the NATS settings of <c>nats://</c> listeners (a <c>Nats</c> step has <see cref="NatsStepValidator"/>), one line per problem naming its key.</summary>
internal sealed class NatsOptionsValidator : IValidateOptions<NatsOptions>
{
    private const string Root = SharedSettings.SectionName;

    public ValidateOptionsResult Validate(string? name, NatsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var nats = options;
        CheckUrl(failures, $"{Root}:Nats:Url", nats.Url);
        if (nats.MaxInFlight < 1)
        {
            failures.Add($"{Root}:Nats:MaxInFlight: {nats.MaxInFlight} is not a positive number");
        }

        if (nats.MaxPending < 1)
        {
            failures.Add($"{Root}:Nats:MaxPending: {nats.MaxPending} is not a positive number");
        }

        if (nats.FetchBatch < 1)
        {
            failures.Add($"{Root}:Nats:FetchBatch: {nats.FetchBatch} is not a positive number");
        }

        if (nats.SpoolMaxBytes <= 0)
        {
            failures.Add($"{Root}:Nats:SpoolMaxBytes: {nats.SpoolMaxBytes} is not a positive size");
        }

        if (nats.AckWait <= TimeSpan.Zero)
        {
            failures.Add($"{Root}:Nats:AckWait: {nats.AckWait} is not a positive duration such as 00:00:30");
        }

        foreach (var file in new[] { ("CredsFile", nats.CredsFile), ("NKeyFile", nats.NKeyFile), ("TlsCa", nats.TlsCa), ("TlsCert", nats.TlsCert), ("TlsKey", nats.TlsKey) })
        {
            if (file.Item2 is { } path && !File.Exists(path))
            {
                failures.Add($"{Root}:Nats:{file.Item1}: {path} does not exist");
            }
        }

        foreach (var (stream, s) in nats.Streams)
        {
            var key = $"{Root}:Nats:Streams:{stream}";
            if (s.Storage.ToLowerInvariant() is not ("file" or "memory"))
            {
                failures.Add($"{key}:Storage: '{s.Storage}' is neither file nor memory");
            }

            if (s.Retention.ToLowerInvariant() is not ("limits" or "interest" or "workqueue"))
            {
                failures.Add($"{key}:Retention: '{s.Retention}' is not limits, interest or workqueue");
            }

            if (s.Replicas is < 1 or > 5)
            {
                failures.Add($"{key}:Replicas: {s.Replicas} is not between 1 and 5");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The problems of the <c>nats://</c> listeners among <paramref name="listeners"/>.</summary>
    public static IEnumerable<string> ListenerProblems(IReadOnlyDictionary<string, ListenerOptions> listeners)
    {
        ArgumentNullException.ThrowIfNull(listeners);
        var failures = new List<string>();
        foreach (var (listener, o) in listeners)
        {
            if (!o.Enabled || o.Endpoint?.StartsWith("nats://", StringComparison.OrdinalIgnoreCase) != true)
            {
                continue;
            }

            var key = $"{Root}:Listeners:{listener}";
            if (string.IsNullOrWhiteSpace(o.Stream))
            {
                failures.Add($"{key}:Stream: a nats:// listener needs the JetStream stream to read");
            }

            if (string.IsNullOrWhiteSpace(o.Consumer) || o.Consumer.IndexOfAny(['.', '*', '>', ' ']) >= 0)
            {
                failures.Add($"{key}:Consumer: a nats:// listener needs a durable consumer name without '.', '*', '>' or spaces");
            }
        }

        return failures;
    }

    /// <summary>Whether <paramref name="url"/> names a NATS server.</summary>
    internal static bool IsNatsUrl(string url) => SocketEndpoint.TryParse(url, out var endpoint, out _) && endpoint.IsNats;

    /// <summary>Why <paramref name="url"/> is refused.</summary>
    internal static string NotNatsUrl(string url) => $"'{url}' is not a NATS server URL such as nats://127.0.0.1:4222";

    private static void CheckUrl(List<string> failures, string key, string url)
    {
        if (!IsNatsUrl(url))
        {
            failures.Add($"{key}: {NotNatsUrl(url)}");
        }
    }
}
