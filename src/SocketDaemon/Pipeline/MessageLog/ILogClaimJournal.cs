namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// Where a <see cref="MessageLogWriter"/> records, before each write, the <see cref="LogClaim"/>s of the chunks that
/// end in it: a write-ahead intent that restart reads back against the file (<see cref="RecoverFiles"/>).
/// </summary>
public interface ILogClaimJournal
{
    /// <summary>
    /// Records <paramref name="claims"/>, located in <paramref name="path"/>, before the write of the bytes from
    /// <paramref name="writeStart"/> to <paramref name="writeEnd"/> begins; durable (with <c>Durability: fsync</c>)
    /// when this returns. One call per write, whatever the number of claims.
    /// </summary>
    void Record(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims);

    /// <summary>
    /// A writer that recorded claims here opened <paramref name="path"/> anew: what was recorded of the writes to a
    /// file of that name before does not describe the file there now, and must not cut it.
    /// </summary>
    void FileOpened(string path);

    /// <summary>
    /// Settles what a killed run left: each claim holds if its file is long enough, and a write torn by the kill is
    /// cut back to the last line it wrote whole, or to the first chunk whose claim does not hold (the senders send
    /// those lines again). Runs once, before any writer opens a file.
    /// </summary>
    void RecoverFiles();
}
