namespace SocketDaemon.Client;

/// <summary>Options for <see cref="SocketDaemonClient"/>.</summary>
public sealed class SocketDaemonClientOptions
{
    /// <summary>How messages are framed on the wire.</summary>
    /// <remarks>Defaults to <see cref="MessageFraming.Seed"/>, which the classic <c>sock-server.c</c> also reads.</remarks>
    public MessageFraming Framing { get; set; } = MessageFraming.Seed;

    /// <summary>How long <see cref="SocketDaemonClient.ConnectAsync(string, SocketDaemonClientOptions?, CancellationToken)"/> may take.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many bytes <see cref="SocketDaemonClient.SendManyAsync(IEnumerable{string}, CancellationToken)"/> gathers
    /// before it writes them to the socket in one call.
    /// </summary>
    /// <remarks>Defaults to 64 KiB.</remarks>
    public int BatchBytes { get; set; } = 64 * 1024;
}
