namespace SocketDaemon.Pipeline;

/// <summary>The <c>Pipeline</c> part of the <c>SocketDaemon</c> section: the ordered steps every message runs through.</summary>
public sealed class PipelineSteps
{
    /// <summary>The configured steps; none means <see cref="MessagePipeline.DefaultSteps"/>.</summary>
    public IReadOnlyList<PipelineStepOptions> Steps { get; init; } = [];
}
