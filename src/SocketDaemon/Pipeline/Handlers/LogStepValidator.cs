namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Checks a <c>Log</c> step.</summary>
internal sealed class LogStepValidator : IPipelineStepValidator<LogStepOptions>
{
    public void Validate(PipelineStepValidation validation, LogStepOptions options)
    {
        options.Validate(validation);
        if (options.RetainedFileCountLimit is < 1)
        {
            validation.Fail(nameof(options.RetainedFileCountLimit), $"{options.RetainedFileCountLimit} is not a positive number");
        }

        if (options.FileSizeLimitBytes is < 1)
        {
            validation.Fail(nameof(options.FileSizeLimitBytes), $"{options.FileSizeLimitBytes} is not a positive size");
        }
    }
}
