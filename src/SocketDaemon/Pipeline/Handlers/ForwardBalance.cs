namespace SocketDaemon.Pipeline.Handlers;

/// <summary>How a <c>Forward</c> step spreads messages over its upstreams.</summary>
public enum ForwardBalance
{
    /// <summary>The first upstream that is up takes them all.</summary>
    Failover,

    /// <summary>Every upstream in turn.</summary>
    RoundRobin,
}
