using System.Globalization;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Diagnostics;
using SocketDaemon.Nats.Logged;

namespace SocketDaemon.Nats;

/// <summary>
/// The outbox of a <c>Nats</c> step on disk: each message goes first to a <see cref="DiskSpool"/>, and a pump
/// publishes the spool in order through the in-memory <see cref="NatsPublisher"/> (whose window bounds what is in
/// memory), moving the spool's acknowledged position as JetStream acknowledges. A message's <c>Nats-Msg-Id</c> is the
/// spool's id (kept in the spool directory) and the record's number, so the same message published again after a
/// restart of the daemon is the same id, and JetStream (within its <c>DuplicateWindow</c>) stores it once.
/// </summary>
internal sealed partial class NatsSpoolOutbox : INatsOutbox
{
    private const string IdFileName = "nats-id";
    private const int PumpBatch = 1024;
    // A run's array stays under the large object heap's threshold, so that the collector frees it young.
    private const long PumpBatchBytes = 64 << 10;
    private const int AckWriteEvery = 4096;
    private static readonly TimeSpan FullRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AckWriteDelay = TimeSpan.FromMilliseconds(10);

    private readonly DiskSpool _spool;
    private readonly NatsPublisher _publisher;
    private readonly bool _fsync;
    private readonly string _id;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    // The completions waiting for JetStream, each with the last record it covers, in the order of their records.
    private readonly Queue<(ulong Last, TaskCompletionSource Completion)> _waiting = [];
    private readonly long _maxBytes;
    // The stored records past the acknowledged position: JetStream mostly answers in order, so a few ranges.
    private readonly SequenceSet _published = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;
    private ulong _acknowledged;
    private ulong _written;
    private long _writtenAt;
    private bool _writeScheduled;

    public NatsSpoolOutbox(string directory, long maxBytes, bool fsync, NatsPublisher publisher, ILoggerFactory loggerFactory)
    {
        _logger = loggerFactory.CreateLogger("SocketDaemon.Nats");
        _spool = DiskSpool.Open(directory, new DiskSpoolOptions { MaxBytes = maxBytes, Durability = fsync ? SpoolDurability.Fsync : SpoolDurability.Flush });
        if (_spool.RecoveredTornBytes > 0)
        {
            SpoolRecovered(_logger, directory, _spool.RecoveredTornBytes);
        }

        if (_spool.Pending > 0)
        {
            SpoolPending(_logger, directory, _spool.Pending);
        }

        _id = SpoolSender.LoadId(directory, IdFileName).ToString("N");
        _acknowledged = _written = _spool.Acknowledged;
        _fsync = fsync;
        _maxBytes = maxBytes;
        _publisher = publisher;
        _publisher.Stored = Published;
        _pump = PumpAsync();
    }

    /// <summary>Messages in the spool that JetStream has not acknowledged yet.</summary>
    public long Pending => _spool.Pending;

    /// <inheritdoc/>
    public string Spool => _spool.Directory;

    /// <inheritdoc/>
    public long SpoolBytes => _spool.Bytes;

    /// <summary>The most bytes one record may have.</summary>
    public int MaxRecordBytes => _spool.MaxRecordBytes;

    /// <summary>
    /// Appends the staged <paramref name="records"/> with one write (waiting while the spool is full) and empties them.
    /// <paramref name="commitment"/> completes once JetStream has stored every one of them (<paramref name="awaitNats"/>),
    /// or once they are in the spool.
    /// </summary>
    /// <exception cref="SpoolFullException">They are more than the whole spool holds; none was appended, and the commitment fails.</exception>
    public async ValueTask AppendAsync(SpoolRecordBuffer records, TaskCompletionSource commitment, bool awaitNats, CancellationToken cancellationToken)
    {
        try
        {
            if (records.Bytes > _maxBytes)
            {
                throw new SpoolFullException($"{records.Count} messages of {records.Bytes} bytes are more than the spool {_spool.Directory} holds ({_maxBytes} bytes)");
            }

            while (true)
            {
                try
                {
                    lock (_gate)
                    {
                        var last = _spool.AppendRecords(records);
                        if (awaitNats)
                        {
                            _waiting.Enqueue((last, commitment));
                        }
                    }

                    break;
                }
                catch (SpoolFullException)
                {
                    // Full: the step waits, and so the connections that feed it, until JetStream takes some.
                    await Task.Delay(FullRetryDelay, cancellationToken);
                }
            }

            if (_fsync)
            {
                _spool.Commit();
            }

            if (!awaitNats)
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

    /// <summary>Spools the message (waiting while the spool is full); its completion follows JetStream's acknowledgement.</summary>
    public async ValueTask EnqueueAsync(NatsOutgoing message, CancellationToken cancellationToken)
    {
        var record = NatsSpoolRecord.Write(message);
        while (true)
        {
            try
            {
                lock (_gate)
                {
                    var sequence = _spool.Append(record);
                    if (message.Completion is { } completion)
                    {
                        _waiting.Enqueue((sequence, completion));
                    }
                }

                break;
            }
            catch (SpoolFullException)
            {
                // Full: the step waits, and so the connections that feed it, until JetStream takes some.
                await Task.Delay(FullRetryDelay, cancellationToken);
            }
        }

        if (_fsync)
        {
            _spool.Commit();
        }
    }

    public async Task StopAsync(TimeSpan timeout)
    {
        using var waiting = new CancellationTokenSource(timeout);
        try
        {
            while (_spool.Pending > 0)
            {
                await Task.Delay(50, waiting.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // What is left stays in the spool for the next start.
        }

        await _stopping.CancelAsync();
        await _pump;
        await _publisher.StopAsync(TimeSpan.Zero);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(TimeSpan.Zero);
        }

        await _publisher.DisposeAsync();
        lock (_gate)
        {
            foreach (var (_, completion) in _waiting)
            {
                completion.TrySetCanceled();
            }

            _waiting.Clear();
        }

        lock (_gate)
        {
            if (_acknowledged > _written)
            {
                WriteAcknowledged();
            }
        }

        _spool.Dispose();
        _stopping.Dispose();
    }

    private async Task PumpAsync()
    {
        var next = _spool.Acknowledged + 1;
        var reader = new NatsRecordReader(_id);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 16);
        try
        {
            while (true)
            {
                // A run of records with one read per segment, each keeping its header: the payload says not where it ends.
                if (_spool.NextRange(next, PumpBatch, PumpBatchBytes) is not { } range)
                {
                    await _spool.WaitForAsync(next, _stopping.Token);
                    continue;
                }

                // Copied out to an array of the run's own size, which its publishes share until JetStream has stored
                // them: a run of one small record then holds a small array, however long NATS is away.
                buffer.ResetWrittenCount();
                _spool.CopyPayloads(range, buffer, keepHeaders: true);
                ReadOnlyMemory<byte> run = buffer.WrittenSpan.ToArray();
                var offset = 0;
                for (var sequence = range.First; sequence <= range.Last; sequence++)
                {
                    var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(run.Span[offset..]);
                    var message = Read(reader, run.Slice(offset + SpoolSegment.HeaderSize, length), sequence);
                    offset += SpoolSegment.HeaderSize + length;
                    if (message is not null)
                    {
                        await _publisher.EnqueueAsync(message, _stopping.Token);
                    }
                }

                next = range.Last + 1;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped: what JetStream has not acknowledged stays in the spool.
        }
        catch (ObjectDisposedException)
        {
            // The spool closed under the pump at disposal.
        }
    }

    /// <summary>The message of record <paramref name="sequence"/>, or <see langword="null"/> (skipped, said) when it is not one.</summary>
    private NatsPublish? Read(NatsRecordReader reader, ReadOnlyMemory<byte> record, ulong sequence)
    {
        try
        {
            return reader.Read(record, sequence);
        }
        catch (InvalidDataException ex)
        {
            // The CRC passed, so only a different writer could have made it: skip it, say so, go on.
            BadRecord(_logger, sequence, ex.Message);
            Published(sequence);
            return null;
        }
    }

    /// <summary>JetStream stored <paramref name="messages"/>: move the spool's position over every record stored in a row, with one write.</summary>
    private void Published(List<NatsPublish> messages)
    {
        lock (_gate)
        {
            foreach (var message in messages)
            {
                _published.Add(message.Sequence);
            }
        }

        Advance();
    }

    private void Published(ulong sequence)
    {
        lock (_gate)
        {
            _published.Add(sequence);
        }

        Advance();
    }

    private void Advance()
    {
        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            if (_published.Ranges is [var (first, last), ..] && first <= _acknowledged + 1)
            {
                _acknowledged = Math.Max(_acknowledged, last);
                _published.RemoveThrough(_acknowledged);
            }

            while (_waiting.TryPeek(out var waiting) && waiting.Last <= _acknowledged)
            {
                (done ??= []).Add(_waiting.Dequeue().Completion);
            }

            // The position on disk only spares a restart publishing again (the same ids, stored once): written at
            // most once per AckWriteDelay or AckWriteEvery records, not for each batch of answers.
            if (_acknowledged > _written)
            {
                if (_acknowledged - _written >= AckWriteEvery || Environment.TickCount64 - _writtenAt >= (long)AckWriteDelay.TotalMilliseconds)
                {
                    WriteAcknowledged();
                }
                else if (!_writeScheduled)
                {
                    _writeScheduled = true;
                    _ = WriteLaterAsync();
                }
            }
        }

        foreach (var completion in done ?? [])
        {
            completion.TrySetResult();
        }
    }

    /// <summary>Writes the acknowledged position, which frees the spool's segments below it; under the gate.</summary>
    private void WriteAcknowledged()
    {
        try
        {
            _spool.Acknowledge(_acknowledged);
        }
        catch (ObjectDisposedException)
        {
            // Stopping: the position written last stands, and the rest is published again (same ids).
        }

        _written = _acknowledged;
        _writtenAt = Environment.TickCount64;
    }

    private async Task WriteLaterAsync()
    {
        await Task.Delay(AckWriteDelay);
        lock (_gate)
        {
            _writeScheduled = false;
            if (_acknowledged > _written)
            {
                WriteAcknowledged();
            }
        }
    }

    [LoggerMessage(EventIds.NatsSpoolRecovered, LogLevel.Warning, "Nats: spool {Spool}: cut {Bytes} bytes of a record torn by a crash")]
    private static partial void SpoolRecovered(ILogger logger, string spool, long bytes);

    [LoggerMessage(EventIds.NatsSpoolPending, LogLevel.Information, "Nats: spool {Spool} holds {Count} messages not yet acknowledged by JetStream; publishing them")]
    private static partial void SpoolPending(ILogger logger, string spool, long count);

    [LoggerMessage(EventIds.NatsSpoolBadRecord, LogLevel.Error, "Nats: spool record {Sequence} is not a NATS message ({Reason}); skipped")]
    private static partial void BadRecord(ILogger logger, ulong sequence, string reason);
}
