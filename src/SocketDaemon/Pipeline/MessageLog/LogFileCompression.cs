namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>How rolled message log files are compressed.</summary>
public enum LogFileCompression
{
    /// <summary>Rolled files stay as they are.</summary>
    None,

    /// <summary>Rolled files are gzipped in the background (<c>messages-20261203.log.gz</c>); the file written never is.</summary>
    Gzip,

    /// <summary>
    /// Rolled files are compressed with Zstandard (<c>messages-20261203.log.zst</c>, read with <c>zstdcat</c>): smaller
    /// than gzip at a fraction of its CPU, as journald and logrotate's <c>compresscmd zstd</c> use it.
    /// </summary>
    Zstd,
}
