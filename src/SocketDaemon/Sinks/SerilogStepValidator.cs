using SocketDaemon.Pipeline;

namespace SocketDaemon.Sinks;

/// <summary>Checks a <c>Serilog</c> step: its conditions compile. Its sinks are checked when they are opened.</summary>
internal sealed class SerilogStepValidator : IPipelineStepValidator<SerilogStepOptions>
{
    public void Validate(PipelineStepValidation validation, SerilogStepOptions options) => options.Validate(validation);
}
