using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Checks a <c>Forward</c> step: its upstreams, batches, spool (one writer each) and TLS files.</summary>
internal sealed class ForwardStepValidator : IPipelineStepValidator<ForwardStepOptions>
{
    public void Validate(PipelineStepValidation validation, ForwardStepOptions options)
    {
        options.Validate(validation);
        if (options.Upstreams.Count == 0)
        {
            validation.Fail(nameof(options.Upstreams), "a Forward step needs at least one upstream, such as tcp://relay:7777");
        }

        for (var u = 0; u < options.Upstreams.Count; u++)
        {
            if (!SocketEndpoint.TryParse(options.Upstreams[u], out var endpoint, out _) || endpoint!.IsDatagram)
            {
                validation.Fail($"{nameof(options.Upstreams)}:{u}", $"'{options.Upstreams[u]}' is not a unix:, tcp:// or tls:// endpoint");
            }
        }

        if (options.BatchSize is < 1 or > NativeProtocol.MaxBatchMessages)
        {
            validation.Fail(nameof(options.BatchSize), $"{options.BatchSize} is not between 1 and {NativeProtocol.MaxBatchMessages}");
        }

        if (options.BatchDelay < TimeSpan.Zero)
        {
            validation.Fail(nameof(options.BatchDelay), $"{options.BatchDelay} is negative");
        }

        if (options.SpoolMaxBytes <= 0)
        {
            validation.Fail(nameof(options.SpoolMaxBytes), $"{options.SpoolMaxBytes} is not a positive size");
        }

        ForwardTlsOptions.Validate(validation, options.TlsCaFile, options.TlsCertificateFile, options.TlsKeyFile);

        // A spool has one writer: two steps on one directory would interleave their records.
        var spool = ForwardHandlers.SpoolDirectory(validation.Options, options);
        if (!validation.TryClaim(spool, out _))
        {
            validation.Fail(nameof(options.Spool), $"another Forward step uses the spool {spool}; give each step its own Spool directory");
        }
    }
}
