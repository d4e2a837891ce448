using SocketDaemon.Client;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.SyslogOutput;

/// <summary>Checks a <c>Syslog</c> step: its collectors, defaults, sizes, spool (one writer each) and TLS files.</summary>
internal sealed class SyslogStepValidator : IPipelineStepValidator<SyslogStepOptions>
{
    public void Validate(PipelineStepValidation validation, SyslogStepOptions options)
    {
        options.Validate(validation);
        if (options.Upstreams.Count == 0)
        {
            validation.Fail(nameof(options.Upstreams), "a Syslog step needs at least one collector, such as tcp://collector:514");
        }

        for (var u = 0; u < options.Upstreams.Count; u++)
        {
            if (!SocketEndpoint.TryParse(options.Upstreams[u], out var endpoint, out _) || endpoint!.Kind is not (SocketEndpointKind.Tcp or SocketEndpointKind.Udp))
            {
                validation.Fail($"{nameof(options.Upstreams)}:{u}", $"'{options.Upstreams[u]}' is not a tcp://, tls:// or udp:// endpoint");
            }
        }

        if (SyslogCodes.Facility(options.DefaultFacility) is null)
        {
            validation.Fail(nameof(options.DefaultFacility), $"'{options.DefaultFacility}' is not a facility keyword (kern, user, ..., local7)");
        }

        if (SyslogCodes.Severity(options.DefaultSeverity) is null)
        {
            validation.Fail(nameof(options.DefaultSeverity), $"'{options.DefaultSeverity}' is not a severity keyword (emerg, ..., debug)");
        }

        if (options.MaxDatagramBytes is < 480 or > 65507)
        {
            validation.Fail(nameof(options.MaxDatagramBytes), $"{options.MaxDatagramBytes} is not between 480 and 65507");
        }

        if (options.BatchSize is < 1 or > 65536)
        {
            validation.Fail(nameof(options.BatchSize), $"{options.BatchSize} is not between 1 and 65536");
        }

        if (options.SpoolMaxBytes <= 0)
        {
            validation.Fail(nameof(options.SpoolMaxBytes), $"{options.SpoolMaxBytes} is not a positive size");
        }

        ForwardTlsOptions.Validate(validation, options.TlsCaFile, options.TlsCertificateFile, options.TlsKeyFile);

        // A spool has one writer, shared with Forward steps' claims.
        var spool = SyslogPipelineBuilderExtensions.SpoolDirectory(validation.Options, options);
        if (!validation.TryClaim(spool, out _))
        {
            validation.Fail(nameof(options.Spool), $"another step uses the spool {spool}; give each step its own Spool directory");
        }
    }
}
