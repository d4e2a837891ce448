using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Client.Status;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// An output that takes each message into a <see cref="DiskSpool"/> (recovering what a crash left) and sends the spool
/// on in the background: <c>Forward</c>, <c>Syslog</c>, <c>Postgres</c>. It says how a message is written into the
/// spool, and how its sender acknowledges it.
/// </summary>
/// <remarks>
/// With <c>Acknowledge: downstream</c> the message's commitment is the sender's acknowledgement of its record; with
/// <c>local</c>, its place in the spool (on disk first with <c>Durability: fsync</c>).
/// </remarks>
public abstract class SpooledOutputHandler : IAsyncDisposable
{
    private readonly SpooledOutputOptions _options;
    private long _spooled;

    /// <summary>Opens the spool; logs a record a crash tore (<paramref name="spoolRecovered"/>) and what waits to be sent (<paramref name="spoolPending"/>).</summary>
    private protected SpooledOutputHandler(SpooledOutputOptions options, ILogger logger, Action<ILogger, string, long> spoolRecovered, Action<ILogger, string, long> spoolPending)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        Spool = DiskSpool.Open(options.Spool, new DiskSpoolOptions
        {
            MaxBytes = options.SpoolMaxBytes,
            Durability = options.Fsync ? SpoolDurability.Fsync : SpoolDurability.Flush,
        });
        if (Spool.RecoveredTornBytes > 0)
        {
            spoolRecovered(logger, options.Spool, Spool.RecoveredTornBytes);
        }

        if (Spool.Pending > 0)
        {
            spoolPending(logger, options.Spool, Spool.Pending);
        }
    }

    /// <summary>The step's counters, for <c>/status</c> and <c>/metrics</c>.</summary>
    public ForwardStatus GetStatus()
    {
        var status = new ForwardStatus
        {
            Spool = _options.Spool,
            Spooled = Interlocked.Read(ref _spooled),
            Pending = Spool.Pending,
            SpoolBytes = Spool.Bytes,
        };
        Describe(status);
        return status;
    }

    /// <summary>Stops sending; what is not acknowledged stays in the spool for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Spool.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The spool, which the handler owns until disposed.</summary>
    private protected DiskSpool Spool { get; }

    /// <summary>Appends <paramref name="record"/> (the message as the sender sends it) and adds the message's commitment.</summary>
    /// <exception cref="SpoolFullException">The spool is full: the message is refused (the native protocol answers Busy).</exception>
    private protected void Append(MessageContext context, ReadOnlySpan<byte> record)
    {
        var sequence = Spool.Append(record);
        Interlocked.Increment(ref _spooled);
        if (_options.Downstream)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            KeepWhenAcknowledged(sequence, waiter);
            context.AddCommitment(waiter.Task);
        }
        else if (_options.Fsync)
        {
            context.AddCommitment(Task.Run(Spool.Commit));
        }
    }

    /// <summary>
    /// Appends staged <paramref name="records"/> with one write; <paramref name="commitment"/>, which their messages
    /// share, is kept as <see cref="Append(MessageContext, ReadOnlySpan{byte})"/> keeps one message's.
    /// </summary>
    /// <exception cref="SpoolFullException">They do not fit: none was appended, and the commitment fails.</exception>
    private protected void Append(SpoolRecordBuffer records, TaskCompletionSource commitment)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(commitment);
        try
        {
            var last = Spool.AppendRecords(records);
            Interlocked.Add(ref _spooled, records.Count);
            if (_options.Downstream)
            {
                KeepWhenAcknowledged(last, commitment);
            }
            else if (_options.Fsync)
            {
                KeepWhen(Task.Run(Spool.Commit), commitment);
            }
            else
            {
                commitment.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            commitment.TrySetException(ex);
            _ = commitment.Task.Exception;
            throw;
        }
        finally
        {
            records.Reset();
        }
    }

    /// <summary>
    /// Keeps <paramref name="commitment"/> once the sender has acknowledged every record up to <paramref name="sequence"/>:
    /// the sender completes it itself, one hand-off from the upstream's answer.
    /// </summary>
    private protected abstract void KeepWhenAcknowledged(ulong sequence, TaskCompletionSource commitment);

    /// <summary>Fills in the step's upstreams and what its sender did.</summary>
    private protected abstract void Describe(ForwardStatus status);

    /// <summary>Stops the sender (and frees what it holds) before the spool closes.</summary>
    private protected abstract ValueTask StopAsync();

    // The shared commitment ends as what it waits for ends.
    private static void KeepWhen(Task task, TaskCompletionSource commitment)
    {
        if (task.IsCompletedSuccessfully)
        {
            commitment.TrySetResult();
            return;
        }

        _ = task.ContinueWith(
            static (done, state) =>
            {
                var kept = (TaskCompletionSource)state!;
                if (done.IsCanceled)
                {
                    kept.TrySetCanceled();
                }
                else if (done.Exception is { } failed)
                {
                    kept.TrySetException(failed.InnerExceptions);
                }
                else
                {
                    kept.TrySetResult();
                }
            },
            commitment,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
