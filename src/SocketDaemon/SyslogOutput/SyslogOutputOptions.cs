using SocketDaemon.Client;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.SyslogOutput;

/// <summary>Where a <c>Syslog</c> step sends, how, and when it counts a message as committed (<see cref="SpooledOutputOptions"/>).</summary>
/// <param name="Upstreams">The collectors, in failover order.</param>
/// <param name="Format">The syslog format.</param>
/// <param name="Framing">The framing on stream connections.</param>
/// <param name="DefaultFacility">The facility of an unparsed message.</param>
/// <param name="DefaultSeverity">The severity of an unparsed message.</param>
/// <param name="MaxDatagramBytes">The longest UDP datagram.</param>
/// <param name="Tls">For <c>tls://</c> collectors; <see langword="null"/> for the system's roots and no client certificate.</param>
public sealed record SyslogOutputOptions(
    IReadOnlyList<SocketEndpoint> Upstreams,
    SyslogFormat Format,
    SyslogFraming Framing,
    int DefaultFacility,
    int DefaultSeverity,
    int MaxDatagramBytes,
    ForwardTlsOptions? Tls = null) : SpooledOutputOptions
{
    /// <summary>Whether <paramref name="other"/> configures the same output, collector for collector.</summary>
    public bool SameAs(SyslogOutputOptions other) =>
        other is not null && this with { Upstreams = other.Upstreams } == other && Upstreams.Select(u => u.ToString()).SequenceEqual(other.Upstreams.Select(u => u.ToString()));
}
