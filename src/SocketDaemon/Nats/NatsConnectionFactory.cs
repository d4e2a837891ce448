using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace SocketDaemon.Nats;

/// <summary>Opens NATS connections with the configured credentials and TLS, and creates missing streams.</summary>
internal static class NatsConnectionFactory
{
    // JetStream's error code for "stream not found".
    private const int StreamNotFound = 10059;

    public static NatsConnection Create(string url, NatsOptions options, string name, ILoggerFactory loggerFactory)
    {
        var auth = NatsAuthOpts.Default with
        {
            Username = options.User,
            Password = options.Password,
            Token = options.Token,
            CredsFile = options.CredsFile,
            NKeyFile = options.NKeyFile,
        };
        var tls = options.TlsCa is null && options.TlsCert is null
            ? NatsTlsOpts.Default
            : NatsTlsOpts.Default with { Mode = TlsMode.Require, CaFile = options.TlsCa, CertFile = options.TlsCert, KeyFile = options.TlsKey };
        return new NatsConnection(NatsOpts.Default with
        {
            Url = url,
            Name = name,
            AuthOpts = auth,
            TlsOpts = tls,
            LoggerFactory = loggerFactory,

            // NATS may be down when the daemon starts, and go away at any time: keep trying, never give up.
            RetryOnInitialConnect = true,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
        });
    }

    /// <summary>Creates the stream <paramref name="stream"/> if it does not exist; one that does is left as its operator made it.</summary>
    public static async Task EnsureStreamAsync(NatsJSContext js, string stream, NatsOptions options, string defaultSubject, CancellationToken cancellationToken)
    {
        try
        {
            await js.GetStreamAsync(stream, cancellationToken: cancellationToken);
            return;
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == StreamNotFound)
        {
        }

        var settings = options.Streams.GetValueOrDefault(stream) ?? new NatsStreamOptions();
        var config = new StreamConfig(stream, settings.Subjects.Count > 0 ? settings.Subjects : [defaultSubject])
        {
            Storage = string.Equals(settings.Storage, "memory", StringComparison.OrdinalIgnoreCase) ? StreamConfigStorage.Memory : StreamConfigStorage.File,
            Retention = settings.Retention.ToLowerInvariant() switch
            {
                "interest" => StreamConfigRetention.Interest,
                "workqueue" => StreamConfigRetention.Workqueue,
                _ => StreamConfigRetention.Limits,
            },
            NumReplicas = settings.Replicas,
            DuplicateWindow = settings.DuplicateWindow,
        };
        if (settings.MaxAge is { } maxAge)
        {
            config.MaxAge = maxAge;
        }

        if (settings.MaxBytes is { } maxBytes)
        {
            config.MaxBytes = maxBytes;
        }

        try
        {
            await js.CreateStreamAsync(config, cancellationToken);
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == 10058)
        {
            // Another daemon created it first (stream name already in use): just as good.
        }
    }
}
