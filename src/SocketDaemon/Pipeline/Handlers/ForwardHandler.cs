using Microsoft.Extensions.Logging;
using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Client.Status;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// Sends messages on to other SocketDaemons (a relay or aggregator tier) over the native protocol. Each message goes
/// first to a <see cref="DiskSpool"/> with its origin (host, listener, peer, time), and a background
/// <see cref="SpoolSender"/> forwards the spool in batches, reconnecting with backoff and sending again what was not
/// acknowledged, which the receiver's session de-duplicates.
/// </summary>
/// <remarks>
/// With <c>Acknowledge: downstream</c> the message's commitment is the upstream's acknowledgement, so a
/// native-protocol client hears back only once the next hop has logged it; with <c>local</c>, once it is in the spool.
/// </remarks>
public sealed partial class ForwardHandler : SpooledOutputHandler
{
    private readonly SpoolSender _sender;
    private readonly ForwardOptions _options;
    private readonly ILogger _logger;
    private readonly string _host = Environment.MachineName;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _clientCertificate;
    private readonly ulong _acknowledgedAtStart;

    /// <summary>Opens the spool (recovering what a crash left) and starts forwarding it.</summary>
    public ForwardHandler(ForwardOptions options, ILogger<ForwardHandler> logger)
        : base(options, logger, SpoolRecovered, SpoolPending)
    {
        _options = options;
        _logger = logger;
        _acknowledgedAtStart = Spool.Acknowledged;
        _clientCertificate = options.Tls?.LoadClientCertificate();
        _sender = new SpoolSender(
            Spool,
            options.Upstreams,
            new SpoolSenderOptions
            {
                BatchMessages = options.BatchSize,
                BatchDelay = options.BatchDelay,
                RoundRobin = options.RoundRobin,
                TlsCaFile = options.Tls?.CaFile,
                TlsClientCertificate = _clientCertificate,
                TlsServerName = options.Tls?.ServerName,
            },
            (upstream, ex) => UpstreamFailed(logger, upstream.ToString(), ex.Message));
        _sender.Start();
    }

    /// <summary>The configuration this handler runs with.</summary>
    public ForwardOptions Options => _options;

    /// <summary>How many messages wait in the spool for an upstream's acknowledgement.</summary>
    public long Pending => Spool.Pending;

    /// <summary>Spools the message and adds its commitment: the upstream's acknowledgement, or the spool write.</summary>
    /// <remarks>
    /// A message read in a batch (<see cref="MessageContext.BatchWrites"/>) is staged on its connection and the batch's
    /// records go to the spool with one write when it ends (<see cref="ForwardStaging"/>), its messages sharing one
    /// commitment; any other is appended at once.
    /// </remarks>
    /// <exception cref="SpoolFullException">The spool is full: the message is refused (the native protocol answers Busy).</exception>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // A message that came from another daemon keeps where it first entered; one from a client starts here.
        var staging = ForwardStaging.Of(context, this);
        var commitment = staging.Stage(context, _host, Spool);
        if (!context.BatchWrites)
        {
            Append(staging);
        }

        context.AddCommitment(commitment);
        return ValueTask.CompletedTask;
    }

    /// <summary>Appends the records staged on a connection with one write, their shared commitment with them.</summary>
    /// <exception cref="SpoolFullException">They do not fit: none was appended, and their commitment fails.</exception>
    internal void Append(ForwardStaging staging) => Append(staging.Records, staging.TakeCommitment());

    /// <summary>Appends a batch's staged records when it ends; a failure fails the messages' shared commitment.</summary>
    internal void AppendStaged(ForwardStaging staging)
    {
        var count = staging.Records.Count;
        try
        {
            Append(staging);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The native protocol refuses the batch's messages through their commitment; a framing without
            // acknowledgements learns of it only here.
            StagedRefused(_logger, _options.Spool, count, ex.Message);
        }
    }

    private protected override void KeepWhenAcknowledged(ulong sequence, TaskCompletionSource commitment) =>
        _sender.WhenAcknowledged(sequence, commitment);

    private protected override void Describe(ForwardStatus status)
    {
        status.Upstreams = [.. _options.Upstreams.Select(u => u.ToString())];
        status.UpstreamsConnected = _sender.ConnectedUpstreams;
        status.Forwarded = (long)(Spool.Acknowledged - _acknowledgedAtStart);
    }

    private protected override async ValueTask StopAsync()
    {
        await _sender.DisposeAsync();
        _clientCertificate?.Dispose();
    }

    [LoggerMessage(EventIds.ForwardUpstreamFailed, LogLevel.Warning, "Forward: upstream {Upstream}: {Reason}; retrying")]
    private static partial void UpstreamFailed(ILogger logger, string upstream, string reason);

    [LoggerMessage(EventIds.ForwardSpoolRecovered, LogLevel.Warning, "Forward: spool {Spool}: cut {Bytes} bytes of a record torn by a crash")]
    private static partial void SpoolRecovered(ILogger logger, string spool, long bytes);

    [LoggerMessage(EventIds.ForwardStagedRefused, LogLevel.Warning, "Forward: spool {Spool}: {Count} messages of a batch were not spooled: {Reason}")]
    private static partial void StagedRefused(ILogger logger, string spool, int count, string reason);

    [LoggerMessage(EventIds.ForwardSpoolPending, LogLevel.Information, "Forward: spool {Spool} holds {Count} messages not yet acknowledged; sending them")]
    private static partial void SpoolPending(ILogger logger, string spool, long count);
}
