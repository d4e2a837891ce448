namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Checks a <c>Filter</c> step: its conditions compile.</summary>
internal sealed class FilterStepValidator : IPipelineStepValidator<FilterStepOptions>
{
    public void Validate(PipelineStepValidation validation, FilterStepOptions options) => options.Validate(validation);
}
