using Microsoft.Extensions.Logging;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>What the writer tells the daemon's own log: faults, recoveries, deleted files, lines lost.</summary>
public sealed partial class MessageLogWriter
{
    // Logs (and counts) each time the file was found deleted since the last look: once per write batch, not per line.
    private void NoteDeletions()
    {
        if (_file.DeletedCount != Volatile.Read(ref _reopenedDeleted))
        {
            Volatile.Write(ref _reopenedDeleted, _file.DeletedCount);
            FileWasDeleted(_logger, Path);
        }

        if (_file.UnrecoveredBytes != _unrecovered)
        {
            DeletedLinesLost(_logger, Path, _file.UnrecoveredBytes - _unrecovered);
            _unrecovered = _file.UnrecoveredBytes;
        }
    }

    [LoggerMessage(EventId = EventIds.LogFileDeleted, Level = LogLevel.Warning, Message = "The message log file of {Path} was deleted while open; it is opened anew by name, and what went to it since it was deleted is written again")]
    private static partial void FileWasDeleted(ILogger logger, string path);

    [LoggerMessage(EventId = EventIds.LogDeletedLinesLost, Level = LogLevel.Critical, Message = "The message log file of {Path} was deleted while open and {Bytes} bytes written to it since could not be read back")]
    private static partial void DeletedLinesLost(ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = EventIds.LogWriteFailed, Level = LogLevel.Error, Message = "Cannot write the message log {Path}; retrying every second, readers wait meanwhile")]
    private static partial void WriteFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = EventIds.LogLinesSpooled, Level = LogLevel.Warning, Message = "Lines for the message log {Path} wait in the spool {Spool} until it can be written")]
    private static partial void LinesSpooled(ILogger logger, string path, string spool);

    [LoggerMessage(EventId = EventIds.LogWriteRecovered, Level = LogLevel.Information, Message = "The message log {Path} is written again")]
    private static partial void WriteRecovered(ILogger logger, string path);

    [LoggerMessage(EventId = EventIds.LogMessagesLost, Level = LogLevel.Critical, Message = "Stopping with the message log {Path} still failing: {Bytes} bytes of messages not written")]
    private static partial void MessagesLost(ILogger logger, string path, int bytes);

    [LoggerMessage(EventId = EventIds.LogWriterStuck, Level = LogLevel.Critical, Message = "The writer of {Path} did not finish within the stop timeout")]
    private static partial void WriterStuck(ILogger logger, string path);
}
