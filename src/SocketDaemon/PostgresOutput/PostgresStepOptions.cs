using SocketDaemon.Configuration;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.PostgresOutput;

/// <summary>A <c>Postgres</c> step: the database and table messages are written to as rows, and which messages (its conditions).</summary>
/// <remarks>
/// The acknowledgement (downstream: committed in the database), batch (the most rows in one <c>COPY</c> and one
/// transaction, default 1000) and spool keys are those of every spooled step (<see cref="SpooledStepOptions"/>); the
/// spool defaults to <c>spool/postgres</c> under <c>StateDirectory</c>.
/// </remarks>
public sealed class PostgresStepOptions() : SpooledStepOptions(batchSize: 1000)
{
    /// <summary>The Npgsql connection string: <c>Host=db;Database=logs;Username=socketdaemon</c>.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The table, <c>name</c> or <c>schema.name</c>; always quoted, so as written (case included).</summary>
    /// <remarks>Defaults to <c>messages</c>.</remarks>
    public string Table { get; set; } = "messages";

    /// <summary>Whether the table (and its index and progress table) is created when missing.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool CreateTable { get; set; } = true;

    internal static new ConfigurationShape Shape() => SpooledShape(
        (nameof(ConnectionString), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Table), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(CreateTable), ConfigurationShape.Value(ValueForm.Boolean)));
}
