using System.Buffers;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Client.Status;
using SocketDaemon.Diagnostics;
using SocketDaemon.Pipeline;

namespace SocketDaemon.PostgresOutput;

/// <summary>
/// Writes messages as rows of a PostgreSQL table: each becomes a <see cref="PostgresRecord"/> in a pooled buffer,
/// appended to a <see cref="DiskSpool"/> (the one <c>Forward</c> and <c>Syslog</c> use), and a background
/// <see cref="PostgresWriter"/> copies the spool into the table in batches, reconnecting with backoff.
/// </summary>
/// <remarks>
/// With <c>Acknowledge: downstream</c> the message's commitment is the commit of its batch (or, for a row the
/// database refuses, its drop); with <c>local</c>, its place in the spool.
/// </remarks>
public sealed partial class PostgresHandler : IAsyncDisposable
{
    private const string SpoolIdFile = "postgres.id";

    private readonly DiskSpool _spool;
    private readonly PostgresWriter _writer;
    private readonly PostgresOutputOptions _options;
    private readonly string _describe;
    private long _spooled;

    /// <summary>Opens the spool (recovering what a crash left) and starts writing it; a row the database refuses counts as failed in <paramref name="counters"/>.</summary>
    public PostgresHandler(PostgresOutputOptions options, ILogger<PostgresHandler> logger, OutputCounters? counters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _describe = options.Describe();
        _spool = DiskSpool.Open(options.Spool, new DiskSpoolOptions
        {
            MaxBytes = options.SpoolMaxBytes,
            Durability = options.Fsync ? SpoolDurability.Fsync : SpoolDurability.Flush,
        });
        if (_spool.RecoveredTornBytes > 0)
        {
            SpoolRecovered(logger, options.Spool, _spool.RecoveredTornBytes);
        }

        if (_spool.Pending > 0)
        {
            SpoolPending(logger, options.Spool, _spool.Pending);
        }

        var table = options.Table.ToString();
        _writer = new PostgresWriter(_spool, options, SpoolId(options.Spool), new PostgresWriterEvents(
            reason => DatabaseFailed(logger, _describe, reason),
            (sequence, received, listener, reason) =>
            {
                counters?.OnFailed();
                RowRefused(logger, table, sequence, received, listener, reason);
            }));
        _writer.Start();
    }

    /// <summary>The configuration this handler runs with.</summary>
    public PostgresOutputOptions Options => _options;

    /// <summary>Rows the database refused and the step dropped, since start.</summary>
    public long Refused => _writer.Failed;

    /// <summary>Why the database cannot be written now, or <see langword="null"/> while it can.</summary>
    public string? Problem => _writer.Connected ? null : _writer.Problem is { } problem ? $"{_describe}: {problem}; {_spool.Pending} messages wait in {_options.Spool}" : null;

    /// <summary>The step's counters, for <c>/status</c>, as a forward-like entry whose upstream reads <c>postgres://</c>.</summary>
    public ForwardStatus GetStatus() => new()
    {
        Spool = _options.Spool,
        Upstreams = [_describe],
        UpstreamsConnected = _writer.Connected ? 1 : 0,
        Spooled = Interlocked.Read(ref _spooled),
        Forwarded = _writer.Written,
        Failed = _writer.Failed,
        Problem = Problem,
        Pending = _spool.Pending,
        SpoolBytes = _spool.Bytes,
    };

    /// <summary>Spools the message's row and adds its commitment: the commit of its batch, or the spool write.</summary>
    /// <exception cref="SpoolFullException">The spool is full: the message is refused (the native protocol answers Busy).</exception>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var buffer = ArrayPool<byte>.Shared.Rent(PostgresRecord.MaxLength(context));
        try
        {
            var length = PostgresRecord.Write(context, buffer);
            var sequence = _spool.Append(buffer.AsSpan(0, length));
            Interlocked.Increment(ref _spooled);
            if (_options.Downstream)
            {
                context.AddCommitment(_writer.WaitForAcknowledgedAsync(sequence));
            }
            else if (_options.Fsync)
            {
                context.AddCommitment(Task.Run(_spool.Commit));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Stops writing; what is not committed stays in the spool for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _spool.Dispose();
    }

    // The spool's identity in the progress table: a new spool directory (emptied, moved) starts a new progress row.
    private static Guid SpoolId(string spool)
    {
        var path = Path.Combine(spool, SpoolIdFile);
        if (File.Exists(path) && Guid.TryParse(File.ReadAllText(path).Trim(), out var id))
        {
            return id;
        }

        id = Guid.NewGuid();
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, id.ToString() + "\n");
        File.Move(temporary, path, overwrite: true);
        return id;
    }

    [LoggerMessage(EventIds.PostgresDatabaseFailed, LogLevel.Warning, "Postgres: {Database}: {Reason}; retrying")]
    private static partial void DatabaseFailed(ILogger logger, string database, string reason);

    [LoggerMessage(EventIds.PostgresRowRefused, LogLevel.Error, "Postgres: table {Table} refused a row (spool record {Sequence}, received {Received:o}, listener {Listener}): {Reason}; the row is dropped")]
    private static partial void RowRefused(ILogger logger, string table, ulong sequence, DateTime? received, string? listener, string reason);

    [LoggerMessage(EventIds.PostgresSpoolRecovered, LogLevel.Warning, "Postgres: spool {Spool}: cut {Bytes} bytes of a record torn by a crash")]
    private static partial void SpoolRecovered(ILogger logger, string spool, long bytes);

    [LoggerMessage(EventIds.PostgresSpoolPending, LogLevel.Information, "Postgres: spool {Spool} holds {Count} messages not yet written; writing them")]
    private static partial void SpoolPending(ILogger logger, string spool, long count);
}
