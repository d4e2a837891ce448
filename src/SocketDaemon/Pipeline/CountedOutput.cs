using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Pipeline;

/// <summary>Wraps an output step's handler so that each message it takes or refuses is counted in its <see cref="OutputCounters"/>.</summary>
public static class CountedOutput
{
    /// <summary>
    /// The handler, counting a message as spooled (<paramref name="spools"/>) or written when the handler completes,
    /// and as failed when it throws. A handler that completes synchronously costs one interlocked increment.
    /// </summary>
    public static MessageDelegate Wrap(OutputCounters counters, bool spools, MessageDelegate handler)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(handler);
        return context =>
        {
            ValueTask pending;
            try
            {
                pending = handler(context);
            }
            catch
            {
                counters.OnFailed();
                throw;
            }

            if (pending.IsCompletedSuccessfully)
            {
                Count(counters, spools);
                return pending;
            }

            return AwaitAsync(pending, counters, spools);
        };
    }

    /// <summary>The same, counted in the <see cref="OutputCounters"/> of <paramref name="output"/> <paramref name="name"/> among the daemon's <see cref="SocketDaemonMetrics"/>.</summary>
    public static MessageDelegate Wrap(IServiceProvider services, string output, string name, bool spools, MessageDelegate handler)
    {
        ArgumentNullException.ThrowIfNull(services);
        return Wrap(services.GetRequiredService<SocketDaemonMetrics>().Output(output, name), spools, handler);
    }

    /// <summary>
    /// The same for a middleware that calls the rest of the pipeline itself (<c>Exec</c>): the message counts as
    /// written once the middleware passes it on or returns, as failed if it throws before; the rest of the pipeline
    /// failing is not the step's failure.
    /// </summary>
    public static Func<MessageContext, MessageDelegate, ValueTask> Wrap(OutputCounters counters, Func<MessageContext, MessageDelegate, ValueTask> middleware)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(middleware);
        return (context, next) => InvokeAsync(counters, middleware, context, next);
    }

    private static async ValueTask InvokeAsync(OutputCounters counters, Func<MessageContext, MessageDelegate, ValueTask> middleware, MessageContext context, MessageDelegate next)
    {
        var passedOn = false;
        try
        {
            await middleware(context, c =>
            {
                passedOn = true;
                counters.OnWritten();
                return next(c);
            });
        }
        catch when (!passedOn)
        {
            counters.OnFailed();
            throw;
        }

        if (!passedOn)
        {
            counters.OnWritten();
        }
    }

    private static async ValueTask AwaitAsync(ValueTask pending, OutputCounters counters, bool spools)
    {
        try
        {
            await pending;
        }
        catch
        {
            counters.OnFailed();
            throw;
        }

        Count(counters, spools);
    }

    private static void Count(OutputCounters counters, bool spools)
    {
        if (spools)
        {
            counters.OnSpooled();
        }
        else
        {
            counters.OnWritten();
        }
    }
}
