using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.PostgresOutput;

/// <summary>Where a <c>Postgres</c> step writes, how, and when it counts a message as committed (<see cref="SpooledOutputOptions"/>: downstream is committed in the database; a batch is one <c>COPY</c> and transaction).</summary>
/// <param name="ConnectionString">The Npgsql connection string.</param>
/// <param name="Table">The table rows go to.</param>
/// <param name="CreateTable">Whether the table is created when missing.</param>
public sealed record PostgresOutputOptions(
    string ConnectionString,
    PostgresTableName Table,
    bool CreateTable) : SpooledOutputOptions
{
    /// <summary>The database and table, without the credentials: what <c>/status</c> shows.</summary>
    public string Describe()
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgres://{builder.Host}{(builder.Port == 5432 ? string.Empty : ":" + builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))}/{builder.Database}/{Table}";
    }
}
