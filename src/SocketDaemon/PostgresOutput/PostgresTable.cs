namespace SocketDaemon.PostgresOutput;

/// <summary>The SQL of a <c>Postgres</c> step's table: its DDL (docs/outputs.md shows it), the <c>COPY</c>, and the progress row.</summary>
public static class PostgresTable
{
    /// <summary>The columns <c>COPY</c> fills, in the order <see cref="PostgresWriter"/> writes them.</summary>
    public const string Columns =
        "received, listener, peer_pid, peer_uid, peer_gid, peer_comm, peer_address, facility, severity, \"timestamp\", " +
        "hostname, appname, procid, msgid, sd, message, raw, json, parse_error, truncated";

    /// <summary>
    /// The table, a BRIN index on <c>received</c> and the progress table. Rows are appended in (nearly) received
    /// order, so a BRIN index answers time windows from a few pages and costs inserts almost nothing; the identity
    /// key's B-tree answers "the latest rows".
    /// </summary>
    public static string Create(PostgresTableName table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var schema = table.Schema is null ? string.Empty : $"CREATE SCHEMA IF NOT EXISTS {PostgresTableName.Quote(table.Schema)};\n";
        return schema + $"""
            CREATE TABLE IF NOT EXISTS {table.Quoted} (
                id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                received     timestamptz NOT NULL,
                listener     text NOT NULL,
                peer_pid     integer,
                peer_uid     bigint,
                peer_gid     bigint,
                peer_comm    text,
                peer_address text,
                facility     smallint,
                severity     smallint,
                "timestamp"  text,
                hostname     text,
                appname      text,
                procid       text,
                msgid        text,
                sd           jsonb,
                message      text NOT NULL,
                raw          bytea,
                json         jsonb,
                parse_error  boolean NOT NULL DEFAULT false,
                truncated    boolean NOT NULL DEFAULT false
            );
            CREATE INDEX IF NOT EXISTS {table.SiblingName("_received")} ON {table.Quoted} USING brin (received);
            CREATE TABLE IF NOT EXISTS {table.Sibling("_progress")} (
                spool    uuid PRIMARY KEY,
                sequence bigint NOT NULL
            );
            """;
    }

    /// <summary>The binary <c>COPY</c> of a batch.</summary>
    public static string Copy(PostgresTableName table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return $"COPY {table.Quoted} ({Columns}) FROM STDIN (FORMAT BINARY)";
    }

    /// <summary>Records, in the batch's transaction, the last spool record the table holds.</summary>
    public static string SaveProgress(PostgresTableName table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return $"INSERT INTO {table.Sibling("_progress")} (spool, sequence) VALUES ($1, $2) ON CONFLICT (spool) DO UPDATE SET sequence = excluded.sequence";
    }

    /// <summary>The last spool record the table holds, after a lost answer to a <c>COMMIT</c> or a crash before the spool learnt of it.</summary>
    public static string LoadProgress(PostgresTableName table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return $"SELECT sequence FROM {table.Sibling("_progress")} WHERE spool = $1";
    }
}
