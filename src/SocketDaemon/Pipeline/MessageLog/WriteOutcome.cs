namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>What became of the lines of one turn of a <see cref="MessageLogWriter"/>, and so of the commits waiting on them.</summary>
internal enum WriteOutcome
{
    /// <summary>In the file (with everything the spool held before them): commits complete.</summary>
    Written,

    /// <summary>In the spool on disk, the file failing: commits wait for the spool to drain.</summary>
    Spooled,

    /// <summary>Given up at a stop: commits fail.</summary>
    Lost,
}
