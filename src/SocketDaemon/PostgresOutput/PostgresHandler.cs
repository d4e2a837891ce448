using System.Buffers;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Client.Status;
using SocketDaemon.Diagnostics;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;

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
public sealed partial class PostgresHandler : SpooledOutputHandler
{
    private const string SpoolIdFile = "postgres.id";

    private readonly PostgresWriter _writer;
    private readonly PostgresOutputOptions _options;
    private readonly string _describe;

    /// <summary>Opens the spool (recovering what a crash left) and starts writing it; a row the database refuses counts as failed in <paramref name="counters"/>.</summary>
    public PostgresHandler(PostgresOutputOptions options, ILogger<PostgresHandler> logger, OutputCounters? counters = null)
        : base(options, logger, SpoolRecovered, SpoolPending)
    {
        _options = options;
        _describe = options.Describe();
        var table = options.Table.ToString();
        _writer = new PostgresWriter(Spool, options, SpoolId(options.Spool), new PostgresWriterEvents(
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
    public string? Problem => _writer.Connected ? null : _writer.Problem is { } problem ? $"{_describe}: {problem}; {Spool.Pending} messages wait in {_options.Spool}" : null;

    /// <summary>Spools the message's row and adds its commitment: the commit of its batch, or the spool write.</summary>
    /// <exception cref="SpoolFullException">The spool is full: the message is refused (the native protocol answers Busy).</exception>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var buffer = ArrayPool<byte>.Shared.Rent(PostgresRecord.MaxLength(context));
        try
        {
            var length = PostgresRecord.Write(context, buffer);
            Append(context, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ValueTask.CompletedTask;
    }

    private protected override void KeepWhenAcknowledged(ulong sequence, TaskCompletionSource commitment) =>
        _writer.WhenAcknowledged(sequence, commitment);

    // A forward-like entry whose upstream reads postgres://.
    private protected override void Describe(ForwardStatus status)
    {
        status.Upstreams = [_describe];
        status.UpstreamsConnected = _writer.Connected ? 1 : 0;
        status.Forwarded = _writer.Sent;
        status.Failed = _writer.Failed;
        status.Problem = Problem;
    }

    // What is not committed stays in the spool for the next start.
    private protected override ValueTask StopAsync() => _writer.DisposeAsync();

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
