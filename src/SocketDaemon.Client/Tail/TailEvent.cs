namespace SocketDaemon.Client.Tail;

/// <summary>One message seen by a tail, or a note that the tail missed some (<see cref="Skipped"/> &gt; 0).</summary>
public sealed class TailEvent
{
    /// <summary>When the daemon read the message.</summary>
    public DateTimeOffset Time { get; set; }

    /// <summary>The listener it arrived on.</summary>
    public string Listener { get; set; } = string.Empty;

    /// <summary>Who sent it, as the log writes it.</summary>
    public string Peer { get; set; } = string.Empty;

    /// <summary>The message text.</summary>
    public string Text { get; set; } = string.Empty;

    /// <summary>
    /// The message as one JSON line of the daemon's stable format (<c>docs/json-format.md</c>), its syslog or JSON
    /// fields read as a <c>Parse</c> step with <c>Format: auto</c> would; what <c>socketctl tail --json</c> prints.
    /// </summary>
    public string? Json { get; set; }

    /// <summary>For a skip note: how many messages the tail missed because it read too slowly.</summary>
    public long Skipped { get; set; }
}
