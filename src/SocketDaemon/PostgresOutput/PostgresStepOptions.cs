using SocketDaemon.Configuration;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.PostgresOutput;

/// <summary>A <c>Postgres</c> step: the database and table messages are written to as rows, and which messages (its conditions).</summary>
public sealed class PostgresStepOptions : StepConditions
{
    /// <summary>With conditions: whether the messages it takes go no further.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool? Final { get; set; }

    /// <summary>The Npgsql connection string: <c>Host=db;Database=logs;Username=socketdaemon</c>.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The table, <c>name</c> or <c>schema.name</c>; always quoted, so as written (case included).</summary>
    /// <remarks>Defaults to <c>messages</c>.</remarks>
    public string Table { get; set; } = "messages";

    /// <summary>Whether the table (and its index and progress table) is created when missing.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool CreateTable { get; set; } = true;

    /// <summary>When the sender's message counts as committed.</summary>
    /// <remarks>Defaults to <see cref="ForwardAcknowledge.Downstream"/>: committed in the database.</remarks>
    public ForwardAcknowledge Acknowledge { get; set; } = ForwardAcknowledge.Downstream;

    /// <summary>The most rows written in one <c>COPY</c> and one transaction.</summary>
    /// <remarks>Defaults to 1000.</remarks>
    public int BatchSize { get; set; } = 1000;

    /// <summary>The spool directory.</summary>
    /// <remarks>Defaults to <c>spool/postgres</c> under <c>StateDirectory</c>.</remarks>
    public string? Spool { get; set; }

    /// <summary>The most the spool may hold; past it messages are refused (<c>Busy</c>).</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long SpoolMaxBytes { get; set; } = 1L << 30;

    internal static new ConfigurationShape Shape() => ConfigurationShape.Object(
        StepConditions.Shape(),
        (nameof(Final), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(ConnectionString), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Table), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(CreateTable), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(Acknowledge), ConfigurationShape.Value(ValueForm.Enum<ForwardAcknowledge>())),
        (nameof(BatchSize), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(Spool), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(SpoolMaxBytes), ConfigurationShape.Value(ValueForm.Bytes)));
}
