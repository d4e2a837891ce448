using SocketDaemon.Client;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Where a <c>Forward</c> step sends messages, and when it counts them as committed.</summary>
/// <param name="Upstreams">The next hops.</param>
/// <param name="RoundRobin"><see langword="true"/> for <c>Balance: roundrobin</c>, <see langword="false"/> for <c>failover</c>.</param>
/// <param name="Downstream"><see langword="true"/> for <c>Acknowledge: downstream</c>, <see langword="false"/> for <c>local</c>.</param>
/// <param name="BatchSize">The most messages in one batch.</param>
/// <param name="BatchDelay">How long a batch may wait to fill.</param>
/// <param name="Spool">The spool directory.</param>
/// <param name="SpoolMaxBytes">The most the spool may hold.</param>
/// <param name="Fsync">Whether a spooled message is on disk (rather than in the kernel) before it counts, as <c>Durability: fsync</c> asks.</param>
/// <param name="Tls">For <c>tls://</c> upstreams: the CA, client certificate and name to check; <see langword="null"/> for the system's roots and no client certificate.</param>
public sealed record ForwardOptions(
    IReadOnlyList<SocketEndpoint> Upstreams,
    bool RoundRobin,
    bool Downstream,
    int BatchSize,
    TimeSpan BatchDelay,
    string Spool,
    long SpoolMaxBytes,
    bool Fsync,
    ForwardTlsOptions? Tls = null)
{
    /// <summary>Whether <paramref name="other"/> configures the same forwarding, upstream for upstream.</summary>
    public bool SameAs(ForwardOptions other) =>
        other is not null && this with { Upstreams = other.Upstreams } == other && Upstreams.Select(u => u.ToString()).SequenceEqual(other.Upstreams.Select(u => u.ToString()));
}
