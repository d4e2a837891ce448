namespace SocketDaemon.Diagnostics;

/// <summary>
/// What one output step (<c>Forward</c>, <c>Nats</c>, <c>Exec</c>, <c>Serilog</c>) did with the messages it was given:
/// for <c>/metrics</c> and the <c>SocketDaemon</c> meter.
/// </summary>
public sealed class OutputCounters
{
    private long _written;
    private long _failed;
    private long _spooled;

    /// <summary>Creates the counters of the step <paramref name="output"/> named <paramref name="name"/>.</summary>
    public OutputCounters(string output, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentNullException.ThrowIfNull(name);
        Output = output;
        Name = name;
    }

    /// <summary>The step's handler, lower case: <c>forward</c>, <c>nats</c>, <c>exec</c>, <c>serilog</c>.</summary>
    public string Output { get; }

    /// <summary>What names the step: its spool, stream, command or section.</summary>
    public string Name { get; }

    /// <summary>Messages the step handed to its destination (a child process, a sink).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Messages the step refused or could not hand on (the step threw).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Messages the step wrote to its spool, to be sent on later.</summary>
    public long Spooled => Interlocked.Read(ref _spooled);

    /// <summary>Counts a message handed to the destination.</summary>
    public void OnWritten() => Interlocked.Increment(ref _written);

    /// <summary>Counts a message the step could not take.</summary>
    public void OnFailed() => Interlocked.Increment(ref _failed);

    /// <summary>Counts a message written to the spool.</summary>
    public void OnSpooled() => Interlocked.Increment(ref _spooled);
}
