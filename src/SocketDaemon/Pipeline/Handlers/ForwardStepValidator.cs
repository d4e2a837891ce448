using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Checks a <c>Forward</c> step: its upstreams, batches, spool (one writer each) and TLS files.</summary>
internal sealed class ForwardStepValidator : IPipelineStepValidator<ForwardStepOptions>
{
    public void Validate(PipelineStepValidation validation, ForwardStepOptions options)
    {
        options.Validate(validation);
        options.ValidateUpstreams(validation, "a Forward step needs at least one upstream, such as tcp://relay:7777", static endpoint => !endpoint.IsDatagram, "unix:, tcp:// or tls://");
        options.ValidateBatchSize(validation, NativeProtocol.MaxBatchMessages);
        if (options.BatchDelay < TimeSpan.Zero)
        {
            validation.Fail(nameof(options.BatchDelay), $"{options.BatchDelay} is negative");
        }

        var spool = ForwardHandlers.SpoolDirectory(validation.Options, options);
        options.ValidateSpool(validation, spool, $"another Forward step uses the spool {spool}; give each step its own Spool directory");
    }
}
