using SocketDaemon.Pipeline;

namespace SocketDaemon.Nats;

/// <summary>Checks a <c>Nats</c> step: its server URL and subject template.</summary>
internal sealed class NatsStepValidator : IPipelineStepValidator<NatsStepOptions>
{
    public void Validate(PipelineStepValidation validation, NatsStepOptions options)
    {
        options.Validate(validation);
        if (options.Url is not null && !NatsOptionsValidator.IsNatsUrl(options.Url))
        {
            validation.Fail(nameof(options.Url), NatsOptionsValidator.NotNatsUrl(options.Url));
        }

        if (!NatsSubjectTemplate.TryParse(options.Subject ?? NatsServiceCollectionExtensions.DefaultSubject, "host", out _, out var error))
        {
            validation.Fail(nameof(options.Subject), error!);
        }
    }
}
