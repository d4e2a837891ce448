using System.Globalization;
using System.Net;
using NATS.Client.Core;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Nats;

/// <summary>
/// Where a message came from, carried across JetStream in headers, so the aggregator that logs it names the same
/// peer, time and origin as the edge daemon that received it.
/// </summary>
internal static class NatsOriginHeaders
{
    private const string Prefix = "SocketDaemon-";

    public const string Host = "SocketDaemon-Host";
    public const string Listener = "SocketDaemon-Listener";
    public const string Peer = "SocketDaemon-Peer";
    public const string Received = "SocketDaemon-Received";
    public const string Pid = "SocketDaemon-Pid";
    public const string Uid = "SocketDaemon-Uid";
    public const string Gid = "SocketDaemon-Gid";
    public const string Comm = "SocketDaemon-Comm";

    public static NatsHeaders For(MessageContext context, string host) =>
        // A message forwarded here from another daemon keeps where it first entered, as the Forward step does.
        For(context.FirstOrigin(host));

    private static NatsHeaders For(MessageOrigin origin)
    {
        var headers = new NatsHeaders
        {
            [Host] = origin.Host,
            [Listener] = origin.Listener,
            [Received] = origin.ReceivedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (origin.ProcessId is { } pid)
        {
            headers[Pid] = pid.ToString(CultureInfo.InvariantCulture);
            headers[Uid] = origin.UserId?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
            headers[Gid] = origin.GroupId?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
            if (origin.ProcessName is { } comm)
            {
                headers[Comm] = comm;
            }
        }
        else
        {
            headers[Peer] = origin.Peer;
        }

        return headers;
    }

    /// <summary>
    /// Where the message first entered SocketDaemon, as the native protocol carries it between daemons
    /// (<see cref="MessageContext.Origin"/>), so an aggregator logs <c>Origin*</c> as a relay does; <see langword="null"/>
    /// when the headers do not name a host (a message published by something else than a daemon).
    /// </summary>
    public static MessageOrigin? OriginOf(NatsHeaders? headers) => OriginOf(Read(headers, out var received), received);

    /// <summary>The origin of the sender <paramref name="values"/> name, received as <paramref name="received"/> says.</summary>
    public static MessageOrigin? OriginOf(in NatsOriginValues values, string? received)
    {
        if (values.Host is not { } host || ReceivedOf(received) is not { } receivedAt)
        {
            return null;
        }

        var peer = PeerOf(values);
        return new MessageOrigin
        {
            Host = host,
            Listener = values.Listener ?? string.Empty,
            Peer = peer == PeerInfo.Unknown ? values.Peer ?? peer.ToString() : peer.ToString(),
            ReceivedAt = receivedAt,
            ProcessId = peer.ProcessId,
            UserId = peer.UserId,
            GroupId = peer.GroupId,
            ProcessName = peer.ProcessName,
        };
    }

    /// <summary>The peer the headers name: the sender's credentials or address, or unknown.</summary>
    public static PeerInfo PeerOf(NatsHeaders? headers) => PeerOf(Read(headers, out _));

    /// <summary>The peer <paramref name="values"/> name: the sender's credentials or address, or unknown.</summary>
    public static PeerInfo PeerOf(in NatsOriginValues values)
    {
        if (values.Pid is { } pidText && int.TryParse(pidText, CultureInfo.InvariantCulture, out var pid)
            && uint.TryParse(values.Uid, CultureInfo.InvariantCulture, out var uid)
            && uint.TryParse(values.Gid, CultureInfo.InvariantCulture, out var gid))
        {
            return PeerInfo.FromCredentials(pid, uid, gid, values.Comm);
        }

        return values.Peer is { } text && IPEndPoint.TryParse(text, out var endPoint) ? PeerInfo.FromEndPoint(endPoint) : PeerInfo.Unknown;
    }

    /// <summary>When the edge daemon received the message, if the headers say.</summary>
    public static DateTimeOffset? ReceivedOf(NatsHeaders? headers) => ReceivedOf(headers is null ? null : Get(headers, Received));

    /// <summary>When the edge daemon received the message, from its <see cref="Received"/> header.</summary>
    public static DateTimeOffset? ReceivedOf(string? text)
    {
        // The edge writes the round-trip format ("O"), parsed exactly far faster than by the general parser.
        return DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out at) ? at : null;
    }

    /// <summary>
    /// The origin headers of a message in one pass over them, the time it was received in <paramref name="received"/>:
    /// cheaper than a case-insensitive lookup of each, for every message an aggregator takes.
    /// </summary>
    public static NatsOriginValues Read(NatsHeaders? headers, out string? received)
    {
        received = null;
        if (headers is null)
        {
            return default;
        }

        string? host = null, listener = null, pid = null, uid = null, gid = null, comm = null, peer = null;
        foreach (var (key, values) in headers)
        {
            if (values.Count == 0 || key.Length <= Prefix.Length || !key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = values[0];
            var name = key.AsSpan(Prefix.Length);
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                host = value;
            }
            else if (name.Equals("Listener", StringComparison.OrdinalIgnoreCase))
            {
                listener = value;
            }
            else if (name.Equals("Received", StringComparison.OrdinalIgnoreCase))
            {
                received = value;
            }
            else if (name.Equals("Peer", StringComparison.OrdinalIgnoreCase))
            {
                peer = value;
            }
            else if (name.Equals("Pid", StringComparison.OrdinalIgnoreCase))
            {
                pid = value;
            }
            else if (name.Equals("Uid", StringComparison.OrdinalIgnoreCase))
            {
                uid = value;
            }
            else if (name.Equals("Gid", StringComparison.OrdinalIgnoreCase))
            {
                gid = value;
            }
            else if (name.Equals("Comm", StringComparison.OrdinalIgnoreCase))
            {
                comm = value;
            }
        }

        return new NatsOriginValues(host, listener, pid, uid, gid, comm, peer);
    }

    public static string? Get(NatsHeaders headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
}
