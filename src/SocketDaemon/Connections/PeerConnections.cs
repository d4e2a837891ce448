using System.Globalization;
using System.Net;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Connections;

/// <summary>How many connections each peer has open on one listener, for <c>MaxConnectionsPerPeer</c>.</summary>
internal sealed class PeerConnections
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>
    /// The key a peer is counted and rate-limited under: its uid on a Unix socket (every process of a user is one
    /// peer), its IP address on TCP (every port of a host is one peer).
    /// </summary>
    public static string KeyOf(PeerInfo peer) =>
        peer.UserId is { } uid ? string.Create(CultureInfo.InvariantCulture, $"uid={uid}")
        : peer.RemoteEndPoint is IPEndPoint ip ? ip.Address.ToString()
        : "-";

    /// <summary>Counts a new connection of <paramref name="key"/> unless it has <paramref name="limit"/> open already.</summary>
    public bool TryOpen(string key, int? limit, out int open)
    {
        lock (_open)
        {
            open = _open.GetValueOrDefault(key);
            if (open >= limit)
            {
                return false;
            }

            _open[key] = open + 1;
            return true;
        }
    }

    public void Close(string key)
    {
        lock (_open)
        {
            if (_open.TryGetValue(key, out var open) && open > 1)
            {
                _open[key] = open - 1;
            }
            else
            {
                _open.Remove(key);
            }
        }
    }
}
