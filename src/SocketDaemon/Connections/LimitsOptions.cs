using SocketDaemon.Configuration;
using SocketDaemon.Framing;
namespace SocketDaemon.Connections;

/// <summary>Bounds on what a peer can make the daemon hold or wait for.</summary>
public sealed class LimitsOptions
{
    /// <summary>The longest message, in bytes, without framing.</summary>
    /// <remarks>Defaults to 64 KiB.</remarks>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>The most connections open at once, over all listeners; more are refused.</summary>
    /// <remarks>Defaults to 10,000.</remarks>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>How long a connection may stay silent between messages before it is closed.</summary>
    /// <remarks>Defaults to 5 minutes.</remarks>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a started frame, or the first bytes of a connection, may take to arrive.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most connections one peer may have open on a listener: by uid on Unix sockets, by IP address on TCP.</summary>
    /// <remarks>Defaults to <see langword="null"/>: no limit per peer.</remarks>
    public int? MaxConnectionsPerPeer { get; set; }

    /// <summary>
    /// The slowest a started frame may arrive, after a grace period, against slowloris senders that trickle bytes
    /// to hold a connection open without ever breaking <see cref="FrameTimeout"/> by much.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: no minimum rate, only <see cref="FrameTimeout"/>.</remarks>
    public MinDataRateOptions? MinDataRate { get; set; }

    /// <summary>How long a connection may live; it is closed at the first frame boundary after it.</summary>
    /// <remarks>Defaults to <see langword="null"/>: connections live as long as they are used.</remarks>
    public TimeSpan? MaxConnectionAge { get; set; }

    /// <summary>What happens to a frame longer than <see cref="MaxMessageBytes"/>.</summary>
    /// <remarks>Defaults to <see cref="OversizePolicy.Close"/>.</remarks>
    public OversizePolicy Oversize { get; set; } = OversizePolicy.Close;

    /// <summary>How many messages a peer, or a listener, may send per second.</summary>
    /// <remarks>Defaults to <see langword="null"/>: no rate limit, and nothing paid for one.</remarks>
    public RateLimitOptions? RateLimit { get; set; }

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(MaxMessageBytes), ConfigurationShape.Value(ValueForm.Bytes32)),
        (nameof(MaxConnections), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(IdleTimeout), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(FrameTimeout), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(MaxConnectionsPerPeer), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(MinDataRate), MinDataRateOptions.Shape()),
        (nameof(MaxConnectionAge), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(Oversize), ConfigurationShape.Value(ValueForm.Enum<OversizePolicy>())),
        (nameof(RateLimit), RateLimitOptions.Shape()));
}
