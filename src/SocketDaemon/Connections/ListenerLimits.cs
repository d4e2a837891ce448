using SocketDaemon.Framing;

namespace SocketDaemon.Connections;

/// <summary>
/// The limits one listener runs by: its own values over <c>SocketDaemon:Limits</c>, and the readers and rate
/// limiter that follow from them, swapped as one at a reload so that a reader never sees half of one.
/// </summary>
internal sealed class ListenerLimits
{
    public ListenerLimits(LimitsOptions limits, ListenerOptions listener)
    {
        MaxMessageBytes = listener.MaxMessageBytes ?? limits.MaxMessageBytes;
        MaxConnections = limits.MaxConnections;
        ListenerMaxConnections = listener.MaxConnections;
        MaxConnectionsPerPeer = listener.MaxConnectionsPerPeer ?? limits.MaxConnectionsPerPeer;
        IdleTimeout = listener.IdleTimeout ?? limits.IdleTimeout;
        FrameTimeout = listener.FrameTimeout ?? limits.FrameTimeout;
        MinDataRate = listener.MinDataRate ?? limits.MinDataRate;
        MaxConnectionAge = listener.MaxConnectionAge ?? limits.MaxConnectionAge;
        Oversize = listener.Oversize ?? limits.Oversize;
        RateLimiter = (listener.RateLimit ?? limits.RateLimit) is { } rate ? new MessageRateLimiter(rate) : null;
        Seed = new SeedFrameReader(MaxMessageBytes);
        Lines = new LineFrameReader(MaxMessageBytes);
        Octet = new OctetFrameReader(MaxMessageBytes);
        Nul = new NulFrameReader(MaxMessageBytes);
    }

    public int MaxMessageBytes { get; }

    /// <summary><c>Limits:MaxConnections</c>: over all listeners.</summary>
    public int MaxConnections { get; }

    /// <summary>The listener's own <c>MaxConnections</c>, if it has one.</summary>
    public int? ListenerMaxConnections { get; }

    public int? MaxConnectionsPerPeer { get; }

    public TimeSpan IdleTimeout { get; }

    public TimeSpan FrameTimeout { get; }

    public MinDataRateOptions? MinDataRate { get; }

    public TimeSpan? MaxConnectionAge { get; }

    public OversizePolicy Oversize { get; }

    /// <summary>The rate limiter; <see langword="null"/> when none is configured, so that nothing is paid for it.</summary>
    public MessageRateLimiter? RateLimiter { get; }

    public SeedFrameReader Seed { get; }

    public LineFrameReader Lines { get; }

    public OctetFrameReader Octet { get; }

    public NulFrameReader Nul { get; }
}
