using System.Text.Json.Serialization;

namespace SocketDaemon.Client.Status;

/// <summary>One listener in a <see cref="DaemonStatus"/>.</summary>
public sealed class ListenerStatus : StatusCounters
{
    /// <summary>The listener's name in configuration.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The endpoint as bound (with the port TCP port 0 chose).</summary>
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>The configured framing.</summary>
    public string Framing { get; set; } = string.Empty;

    /// <summary>
    /// Datagram listeners: datagrams the kernel dropped because the receive buffer was full, never read;
    /// <see langword="null"/> (left out) for other listeners.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? DatagramsDropped { get; set; }
}
