using System.Net;
using System.Net.Sockets;
using SocketDaemon.Client;
using SocketDaemon.Connections;

namespace SocketDaemon.Listeners.Internal;

/// <summary>What binding a stream or datagram listener shares: the address a name binds, the socket file's mode, the warning for an open port.</summary>
internal static class ListenerBinding
{
    /// <summary>Says so when a listener takes anyone from the network: bound beyond loopback, no allow list, no TLS.</summary>
    internal static void WarnIfOpenToNetwork(ListenerContext context, EndPoint? bound)
    {
        if (bound is IPEndPoint { Address: var address } && !IPAddress.IsLoopback(address) && !context.Access.IsRestricted && context.Tls is null)
        {
            ListenerLog.OpenToNetwork(context.Logger, context.Name, context.Listener.Endpoint.ToString());
        }
    }

    internal static UnixFileMode ParseMode(string mode) =>
        (UnixFileMode)Convert.ToInt32(mode, 8) & (UnixFileMode)0x1FF;

    internal static async Task<EndPoint> ResolveAsync(string listener, SocketEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.EndPoint is not DnsEndPoint dns)
        {
            return endpoint.EndPoint;
        }

        // A name binds its first address, IPv4 first: "localhost" means 127.0.0.1 as most daemons take it.
        var addresses = await Dns.GetHostAddressesAsync(dns.Host, cancellationToken);
        var address = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
            ?? throw new ListenerBindException(listener, $"{dns.Host} has no address");
        return new IPEndPoint(address, dns.Port);
    }
}
