using SocketDaemon.Client;
using SocketDaemon.Pipeline;

namespace SocketDaemon.SyslogOutput;

/// <summary>Checks a <c>Syslog</c> step: its collectors, defaults, sizes, spool (one writer each) and TLS files.</summary>
internal sealed class SyslogStepValidator : IPipelineStepValidator<SyslogStepOptions>
{
    public void Validate(PipelineStepValidation validation, SyslogStepOptions options)
    {
        options.Validate(validation);
        options.ValidateUpstreams(validation, "a Syslog step needs at least one collector, such as tcp://collector:514", static endpoint => endpoint.Kind is SocketEndpointKind.Tcp or SocketEndpointKind.Udp, "tcp://, tls:// or udp://");
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

        options.ValidateBatchSize(validation, 65536);

        // A spool has one writer, shared with Forward steps' claims.
        var spool = SyslogPipelineBuilderExtensions.SpoolDirectory(validation.Options, options);
        options.ValidateSpool(validation, spool, $"another step uses the spool {spool}; give each step its own Spool directory");
    }
}
