using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using SocketDaemon.Internal;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Connections;

/// <summary>
/// Who may connect to (or send datagrams to) one listener: local peers by the uid and gid the kernel recorded
/// (<c>SO_PEERCRED</c>, <c>SCM_CREDENTIALS</c>), remote ones by address. Checked once per connection, at accept.
/// </summary>
internal sealed class AccessPolicy
{
    private readonly HashSet<uint>? _uids;
    private readonly HashSet<uint>? _gids;
    private readonly IPNetwork[]? _networks;

    private AccessPolicy(HashSet<uint>? uids, HashSet<uint>? gids, IPNetwork[]? networks)
    {
        _uids = uids;
        _gids = gids;
        _networks = networks;
    }

    /// <summary>Whether any allow list is set; without one every peer the socket lets in is allowed.</summary>
    public bool IsRestricted => _uids is not null || _gids is not null || _networks is not null;

    /// <summary>The policy of <paramref name="options"/>, whose lists the validator has checked.</summary>
    public static AccessPolicy Create(ListenerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AccessPolicy(
            ResolveIds(options.AllowUids, group: false),
            ResolveIds(options.AllowGids, group: true),
            options.AllowAddresses is { Count: > 0 } addresses ? [.. addresses.Select(ParseNetwork)] : null);
    }

    /// <summary>Whether <paramref name="peer"/> may come in; if not, why, for the operational log.</summary>
    public bool Allows(PeerInfo peer, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(peer);
        reason = null;
        if (!IsRestricted)
        {
            return true;
        }

        if (peer.UserId is { } uid)
        {
            if ((_uids is null && _gids is null) || _uids?.Contains(uid) == true || (peer.GroupId is { } gid && _gids?.Contains(gid) == true))
            {
                return true;
            }

            reason = string.Create(CultureInfo.InvariantCulture, $"uid {uid} gid {peer.GroupId} is not in AllowUids or AllowGids");
            return false;
        }

        if (peer.RemoteEndPoint is IPEndPoint { Address: var address })
        {
            // A dual-mode socket reports IPv4 peers as ::ffff:a.b.c.d; ranges are written as IPv4.
            address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            if (_networks is null || _networks.Any(n => n.Contains(address)))
            {
                return true;
            }

            reason = $"address {address} is not in AllowAddresses";
            return false;
        }

        reason = "the peer's credentials or address are unknown, and the listener has an allow list";
        return false;
    }

    /// <summary>An address range: CIDR (<c>10.0.0.0/8</c>), or one address (<c>192.0.2.7</c>, <c>::1</c>).</summary>
    /// <exception cref="FormatException">It is neither.</exception>
    public static IPNetwork ParseNetwork(string value)
    {
        if (IPNetwork.TryParse(value, out var network))
        {
            return network;
        }

        return IPAddress.TryParse(value, out var address)
            ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : throw new FormatException($"'{value}' is not an address range such as 10.0.0.0/8 or an address such as 192.0.2.7");
    }

    private static HashSet<uint>? ResolveIds(List<string>? values, bool group) =>
        values is { Count: > 0 }
            ? [.. values.Select(v => Libc.TryResolveId(v, group, out var id) ? id : throw new FormatException($"'{v}' is not a {(group ? "group" : "user")}"))]
            : null;
}
