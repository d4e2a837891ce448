namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// One open file of a templated <c>Log</c> step (<see cref="DynamicLogFiles"/>): its writer, how many connections hold
/// lines for it that are not queued yet (it is not closed while any does), and its place in the least-recently-used order.
/// </summary>
internal sealed class DynamicLogFile
{
    public DynamicLogFile(string key, MessageLogWriter writer)
    {
        Key = key;
        Writer = writer;
        Node = new LinkedListNode<DynamicLogFile>(this);
    }

    /// <summary>The rendered path, relative to the log directory as the template is.</summary>
    public string Key { get; }

    public MessageLogWriter Writer { get; }

    /// <summary>Its place in the set's order of use; reused, so that a use allocates nothing.</summary>
    public LinkedListNode<DynamicLogFile> Node { get; }

    /// <summary>Connections holding lines for it, under the set's lock.</summary>
    public int Pins { get; set; }

    /// <summary>Whether it was closed to make room, under the set's lock.</summary>
    public bool IsClosed { get; set; }

    /// <summary>Completes when a closed file's lines are written (and fsynced with <c>Durability: fsync</c>) and it is shut.</summary>
    public Task Closed { get; set; } = Task.CompletedTask;
}
