using System.ComponentModel.DataAnnotations;

namespace SocketDaemon.Hosting;

/// <summary>Bounds on what a peer can make the daemon hold or wait for.</summary>
public sealed class LimitsOptions
{
    /// <summary>The longest message, in bytes, without framing.</summary>
    /// <remarks>Defaults to 64 KiB.</remarks>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>The most connections open at once, over all listeners; more are refused.</summary>
    /// <remarks>Defaults to 10,000.</remarks>
    [Range(1, int.MaxValue)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>How long a connection may stay silent between messages before it is closed.</summary>
    /// <remarks>Defaults to 5 minutes.</remarks>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a started frame, or the first bytes of a connection, may take to arrive.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
