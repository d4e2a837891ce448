namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// Drops the messages that match its conditions (<c>Action: drop</c>), or all the others (<c>Action: keep</c>);
/// the rest go on down the pipeline.
/// </summary>
public sealed class FilterMiddleware
{
    private readonly MessageDelegate _next;
    private readonly MessageMatcher _matcher;
    private readonly bool _keep;

    /// <summary>Creates the filter in front of <paramref name="next"/>.</summary>
    public FilterMiddleware(MessageDelegate next, MessageMatcher matcher, bool keep)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(matcher);
        _next = next;
        _matcher = matcher;
        _keep = keep;
    }

    /// <summary>Passes the message on, or drops it.</summary>
    public ValueTask InvokeAsync(MessageContext context) =>
        _matcher.Matches(context) == _keep ? _next(context) : ValueTask.CompletedTask;
}
