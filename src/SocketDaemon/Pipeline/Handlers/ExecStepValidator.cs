namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Checks an <c>Exec</c> step.</summary>
internal sealed class ExecStepValidator : IPipelineStepValidator<ExecStepOptions>
{
    public void Validate(PipelineStepValidation validation, ExecStepOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Command))
        {
            validation.Fail(nameof(options.Command), "an Exec step needs the program to run");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            validation.Fail(nameof(options.Timeout), $"{options.Timeout} is not a positive duration such as 00:00:05");
        }
    }
}
