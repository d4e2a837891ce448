namespace SocketDaemon.PostgresOutput;

/// <summary>What a <see cref="PostgresWriter"/> reports: the handler logs it.</summary>
/// <param name="DatabaseFailed">The database could not be reached or a batch failed for another reason than its rows; the reason.</param>
/// <param name="RowRefused">The database refused a row for its data: its spool record, received time, listener and the reason.</param>
internal sealed record PostgresWriterEvents(Action<string> DatabaseFailed, Action<ulong, DateTime?, string?, string> RowRefused);
