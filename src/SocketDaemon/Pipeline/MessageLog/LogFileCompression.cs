namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>How rolled message log files are compressed.</summary>
public enum LogFileCompression
{
    /// <summary>Rolled files stay as they are.</summary>
    None,

    /// <summary>Rolled files are gzipped in the background (<c>messages-20261203.log.gz</c>); the file written never is.</summary>
    Gzip,
}
