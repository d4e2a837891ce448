using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Protocols.Native;

/// <summary>
/// The acknowledgements of one connection, written in the order its batches came, each as soon as it and every one
/// before it has settled. The connection reads and logs its next batches meanwhile, so that the batches a client keeps
/// in flight are in the daemon together and one write (one fsync) of the log commits many of them.
/// </summary>
/// <remarks>
/// The loop is the only writer of the connection's output while replies wait: a reply the handler writes itself
/// (status, session, quit, tail) comes after <see cref="DrainAsync"/>, and is flushed before the next batch is added.
/// </remarks>
internal sealed class NativeReplies
{
    /// <summary>
    /// How many batches of one connection may wait for their acknowledgement before it reads no more: above the
    /// client's default <c>MaxInFlightBatches</c> (8), and small against the log writer's queue.
    /// </summary>
    public const int Capacity = 16;

    private readonly Channel<Item> _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly PipeWriter _output;
    private readonly Action _onFault;
    private readonly Task _loop;
    private volatile ExceptionDispatchInfo? _fault;

    /// <summary>Starts writing to <paramref name="output"/>; <paramref name="onFault"/> wakes the connection's reader when a reply cannot be written.</summary>
    public NativeReplies(PipeWriter output, Action onFault)
    {
        _output = output;
        _onFault = onFault;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues <paramref name="reply"/> behind the ones before it; waits while <see cref="Capacity"/> wait.</summary>
    public ValueTask AddAsync(BatchReply reply)
    {
        ThrowIfFaulted();
        var item = new Item(reply, null);
        return _queue.Writer.TryWrite(item) ? ValueTask.CompletedTask : AddSlowAsync(item);
    }

    /// <summary>Completes when every reply queued so far is written and flushed: the output is the caller's until it adds another.</summary>
    public async Task DrainAsync()
    {
        ThrowIfFaulted();
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await AddSlowAsync(new Item(null, drained));
        await Task.WhenAny(drained.Task, _loop);
        ThrowIfFaulted();
    }

    /// <summary>Rethrows why a reply could not be written (its commit failed, or the connection did).</summary>
    public void ThrowIfFaulted() => _fault?.Throw();

    /// <summary>Writes what is queued and ends; rethrows when some of it could not be.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        ThrowIfFaulted();
    }

    /// <summary>
    /// At a connection's failure: writes what can still be written (the batches were logged) and ends, without
    /// another exception for the caller.
    /// </summary>
    public async Task AbandonAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async ValueTask AddSlowAsync(Item item)
    {
        try
        {
            await _queue.Writer.WriteAsync(item);
        }
        catch (ChannelClosedException)
        {
            // The loop stopped at a fault: that is the reason to report.
            ThrowIfFaulted();
            throw;
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var unflushed = false;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Reply is not { } reply)
                    {
                        await FlushAsync().ConfigureAwait(false);
                        item.Drained!.SetResult();
                        continue;
                    }

                    if (!reply.Settled.IsCompleted)
                    {
                        // What is ready goes out before waiting for the next: the client's oldest batches first.
                        await FlushAsync().ConfigureAwait(false);
                        await reply.Settled.ConfigureAwait(false);
                    }

                    reply.Settled.GetAwaiter().GetResult();
                    NativeFrameWriter.WriteAck(_output, reply.Sequence, reply.Accepted, reply.Errors);
                    unflushed = true;
                }

                // Everything queued is written: one flush for all of it.
                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _fault = ExceptionDispatchInfo.Capture(ex);
            _queue.Writer.TryComplete();
            _onFault();
        }

        async ValueTask FlushAsync()
        {
            if (unflushed)
            {
                unflushed = false;
                await _output.FlushAsync().ConfigureAwait(false);
            }
        }
    }

    private readonly record struct Item(BatchReply? Reply, TaskCompletionSource? Drained);
}
