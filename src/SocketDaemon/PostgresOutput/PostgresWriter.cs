using Npgsql;
using NpgsqlTypes;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.PostgresOutput;

/// <summary>
/// Writes what a <see cref="DiskSpool"/> holds into the table, in spool order: each batch in one binary <c>COPY</c>
/// and one transaction, which also records the batch's last spool record in the progress table, so that a batch
/// whose <c>COMMIT</c> answer was lost (or a crash before the spool learnt of it) is not written twice. The spool is
/// acknowledged after the commit.
/// </summary>
/// <remarks>
/// A database that is down or refuses the connection: reconnect with backoff, the messages wait in the spool. A
/// batch the database refuses for its data (SQLSTATE class 22 or 23: a value, a constraint) is split in halves until
/// the rows it refuses are alone: those are dropped, logged and counted, and the rest are written in order.
/// </remarks>
internal sealed class PostgresWriter : SpooledOutputSender
{
    private readonly PostgresOutputOptions _options;
    private readonly Guid _spoolId;
    private readonly PostgresWriterEvents _events;
    private readonly NpgsqlDataSource _dataSource;
    private long _failed;
    private volatile string? _problem;

    public PostgresWriter(DiskSpool spool, PostgresOutputOptions options, Guid spoolId, PostgresWriterEvents events)
        : base(spool)
    {
        _options = options;
        _spoolId = spoolId;
        _events = events;

        // The slim builder keeps Npgsql trimmable (Native AOT); TLS is opted into, as SslMode asks for it.
        var builder = new NpgsqlSlimDataSourceBuilder(options.ConnectionString);
        builder.EnableTransportSecurity();
        _dataSource = builder.Build();
    }

    /// <summary>Why the last attempt to write failed, until a batch is written again.</summary>
    public string? Problem => _problem;

    /// <summary>Rows the database refused (dropped) since start.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    protected override async Task SendAsync(CancellationToken token)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(token);
        if (_options.CreateTable)
        {
            await using var create = new NpgsqlCommand(PostgresTable.Create(_options.Table), connection);
            await create.ExecuteNonQueryAsync(token);
        }

        await SkipCommittedAsync(connection, token);
        OnConnected();
        await WriteAsync(connection, token);
    }

    protected override bool OnFailed(Exception exception)
    {
        _problem = exception.Message;
        _events.DatabaseFailed(exception.Message);
        return true;
    }

    protected override ValueTask OnStoppedAsync() => _dataSource.DisposeAsync();

    // What the progress table says is committed, the spool may not know yet: a lost COMMIT answer, or a crash.
    private async Task SkipCommittedAsync(NpgsqlConnection connection, CancellationToken token)
    {
        await using var load = new NpgsqlCommand(PostgresTable.LoadProgress(_options.Table), connection);
        load.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = _spoolId, NpgsqlDbType = NpgsqlDbType.Uuid });
        if (await load.ExecuteScalarAsync(token) is long committed && (ulong)committed > Spool.Acknowledged)
        {
            var through = Math.Min((ulong)committed, Spool.NextSequence - 1);
            Acknowledge(through, count: (int)(through - Spool.Acknowledged));
        }
    }

    private async Task WriteAsync(NpgsqlConnection connection, CancellationToken token)
    {
        while (true)
        {
            var next = Spool.Acknowledged + 1;
            var records = Spool.Read(next, _options.BatchSize, 16 << 20);
            if (records.Count == 0)
            {
                await Spool.WaitForAsync(next, token);
                continue;
            }

            var rows = new List<PostgresRow>(records.Count);
            foreach (var record in records)
            {
                try
                {
                    rows.Add(PostgresRecord.Read(record.Sequence, record.Payload));
                }
                catch (InvalidDataException ex)
                {
                    // Not a row (a spool of another output, or damage past the CRC): dropped and counted, as a refused row.
                    await WriteInOrderAsync(connection, rows, token);
                    rows.Clear();
                    Refused(record.Sequence, ex.Message, null);
                }
            }

            await WriteInOrderAsync(connection, rows, token);
        }
    }

    // The rows in one transaction; refused for their data, in halves, down to the rows that are refused alone.
    private async Task WriteInOrderAsync(NpgsqlConnection connection, List<PostgresRow> rows, CancellationToken token)
    {
        if (rows.Count == 0)
        {
            return;
        }

        try
        {
            await CopyAsync(connection, rows, token);
            _problem = null;
            Acknowledge(rows[^1].Sequence, rows.Count);
        }
        catch (PostgresException ex) when (IsDataError(ex))
        {
            if (rows.Count == 1)
            {
                Refused(rows[0].Sequence, $"{ex.SqlState}: {ex.MessageText}{(ex.ConstraintName is null ? string.Empty : $" ({ex.ConstraintName})")}", rows[0]);
                return;
            }

            var half = rows.Count / 2;
            await WriteInOrderAsync(connection, rows[..half], token);
            await WriteInOrderAsync(connection, rows[half..], token);
        }
    }

    private async Task CopyAsync(NpgsqlConnection connection, List<PostgresRow> rows, CancellationToken token)
    {
        await using var transaction = await connection.BeginTransactionAsync(token);
        await using (var copy = await connection.BeginBinaryImportAsync(PostgresTable.Copy(_options.Table), token))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(token);
                await copy.WriteAsync(row.Received, NpgsqlDbType.TimestampTz, token);
                await copy.WriteAsync(row.Listener, NpgsqlDbType.Text, token);
                await WriteAsync(copy, row.PeerPid, NpgsqlDbType.Integer, token);
                await WriteAsync(copy, row.PeerUid, NpgsqlDbType.Bigint, token);
                await WriteAsync(copy, row.PeerGid, NpgsqlDbType.Bigint, token);
                await WriteAsync(copy, row.PeerComm, NpgsqlDbType.Text, token);
                await WriteAsync(copy, row.PeerAddress, NpgsqlDbType.Text, token);
                await WriteAsync(copy, row.Facility, NpgsqlDbType.Smallint, token);
                await WriteAsync(copy, row.Severity, NpgsqlDbType.Smallint, token);
                await WriteAsync(copy, row.Timestamp, NpgsqlDbType.Text, token);
                await WriteAsync(copy, row.Hostname, NpgsqlDbType.Text, token);
                await WriteAsync(copy, row.AppName, NpgsqlDbType.Text, token);
                await WriteAsync(copy, row.ProcId, NpgsqlDbType.Text, token);
                await WriteAsync(copy, row.MsgId, NpgsqlDbType.Text, token);
                await WriteAsync(copy, row.StructuredData, NpgsqlDbType.Jsonb, token);
                await copy.WriteAsync(row.Message, NpgsqlDbType.Text, token);
                await WriteAsync(copy, row.Raw, NpgsqlDbType.Bytea, token);
                await WriteAsync(copy, row.Json, NpgsqlDbType.Jsonb, token);
                await copy.WriteAsync(row.ParseError, NpgsqlDbType.Boolean, token);
                await copy.WriteAsync(row.Truncated, NpgsqlDbType.Boolean, token);
            }

            await copy.CompleteAsync(token);
        }

        await using (var progress = new NpgsqlCommand(PostgresTable.SaveProgress(_options.Table), connection, transaction))
        {
            progress.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = _spoolId, NpgsqlDbType = NpgsqlDbType.Uuid });
            progress.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)rows[^1].Sequence, NpgsqlDbType = NpgsqlDbType.Bigint });
            await progress.ExecuteNonQueryAsync(token);
        }

        await transaction.CommitAsync(token);
    }

    private static async Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken token)
        where T : class
    {
        if (value is null)
        {
            await copy.WriteNullAsync(token);
        }
        else
        {
            await copy.WriteAsync(value, type, token);
        }
    }

    private static async Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken token)
        where T : struct
    {
        if (value is { } present)
        {
            await copy.WriteAsync(present, type, token);
        }
        else
        {
            await copy.WriteNullAsync(token);
        }
    }

    // A value or a constraint: the same rows would be refused again, whatever the connection.
    private static bool IsDataError(PostgresException ex) => ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal);

    private void Refused(ulong sequence, string reason, PostgresRow? row)
    {
        Interlocked.Increment(ref _failed);
        _events.RowRefused(sequence, row?.Received, row?.Listener, reason);
        Acknowledge(sequence, count: 0);
    }
}
