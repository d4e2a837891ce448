namespace SocketDaemon.Pipeline;

/// <summary>Checks the settings of one pipeline step of a handler, at start and on reload, before anything is built.</summary>
/// <typeparam name="TOptions">The handler's options type.</typeparam>
public interface IPipelineStepValidator<in TOptions>
    where TOptions : class
{
    /// <summary>Reports each problem of <paramref name="options"/> through <paramref name="validation"/>.</summary>
    void Validate(PipelineStepValidation validation, TOptions options);
}
