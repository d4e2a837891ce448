using SocketDaemon.Client;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Where a <c>Forward</c> step sends messages, and when it counts them as committed (<see cref="SpooledOutputOptions"/>).</summary>
/// <param name="Upstreams">The next hops.</param>
/// <param name="RoundRobin"><see langword="true"/> for <c>Balance: roundrobin</c>, <see langword="false"/> for <c>failover</c>.</param>
/// <param name="BatchDelay">How long a batch may wait to fill.</param>
/// <param name="Tls">For <c>tls://</c> upstreams: the CA, client certificate and name to check; <see langword="null"/> for the system's roots and no client certificate.</param>
public sealed record ForwardOptions(
    IReadOnlyList<SocketEndpoint> Upstreams,
    bool RoundRobin,
    TimeSpan BatchDelay,
    ForwardTlsOptions? Tls = null) : SpooledOutputOptions
{
    /// <summary>Whether <paramref name="other"/> configures the same forwarding, upstream for upstream.</summary>
    public bool SameAs(ForwardOptions other) =>
        other is not null && this with { Upstreams = other.Upstreams } == other && Upstreams.Select(u => u.ToString()).SequenceEqual(other.Upstreams.Select(u => u.ToString()));
}
