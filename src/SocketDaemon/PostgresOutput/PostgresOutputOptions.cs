namespace SocketDaemon.PostgresOutput;

/// <summary>Where a <c>Postgres</c> step writes, how, and when it counts a message as committed.</summary>
/// <param name="ConnectionString">The Npgsql connection string.</param>
/// <param name="Table">The table rows go to.</param>
/// <param name="CreateTable">Whether the table is created when missing.</param>
/// <param name="Downstream"><see langword="true"/> for <c>Acknowledge: downstream</c>: committed in the database.</param>
/// <param name="BatchSize">The most rows in one <c>COPY</c> and transaction.</param>
/// <param name="Spool">The spool directory.</param>
/// <param name="SpoolMaxBytes">The most the spool may hold.</param>
/// <param name="Fsync">Whether a spooled message is on disk before it counts (<c>Durability: fsync</c>).</param>
public sealed record PostgresOutputOptions(
    string ConnectionString,
    PostgresTableName Table,
    bool CreateTable,
    bool Downstream,
    int BatchSize,
    string Spool,
    long SpoolMaxBytes,
    bool Fsync)
{
    /// <summary>The database and table, without the credentials: what <c>/status</c> shows.</summary>
    public string Describe()
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgres://{builder.Host}{(builder.Port == 5432 ? string.Empty : ":" + builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))}/{builder.Database}/{Table}";
    }
}
