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
    private readonly Action<string>? _dropped;

    /// <summary>Creates the filter in front of <paramref name="next"/>.</summary>
    public FilterMiddleware(MessageDelegate next, MessageMatcher matcher, bool keep)
        : this(next, matcher, keep, null)
    {
    }

    /// <summary>Creates the filter in front of <paramref name="next"/>; <paramref name="dropped"/> hears the listener of each message it drops.</summary>
    public FilterMiddleware(MessageDelegate next, MessageMatcher matcher, bool keep, Action<string>? dropped)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(matcher);
        _next = next;
        _matcher = matcher;
        _keep = keep;
        _dropped = dropped;
    }

    /// <summary>Passes the message on, or drops it.</summary>
    public ValueTask InvokeAsync(MessageContext context)
    {
        if (_matcher.Matches(context) == _keep)
        {
            return _next(context);
        }

        _dropped?.Invoke(context.Listener);
        return ValueTask.CompletedTask;
    }
}
