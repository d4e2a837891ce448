using System.Net;

namespace SocketDaemon.Proxy;

/// <summary>
/// A decoded PROXY protocol header: the connection's original source and destination as the load balancer saw them.
/// </summary>
/// <param name="Version">1 (text) or 2 (binary).</param>
/// <param name="Source">
/// The original source; <see langword="null"/> for a v2 <c>LOCAL</c> command (a health check by the proxy itself), a
/// v1 <c>UNKNOWN</c> or an address family other than IP: the connection's own peer stands.
/// </param>
/// <param name="Destination">The address the original client connected to; <see langword="null"/> when <paramref name="Source"/> is.</param>
public sealed record ProxyHeader(int Version, IPEndPoint? Source, IPEndPoint? Destination);
