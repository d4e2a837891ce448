using System.Globalization;
using System.Net;

namespace SocketDaemon.Pipeline;

/// <summary>
/// Who is on the other end of a connection: the process credentials of a local peer (<c>SO_PEERCRED</c>),
/// or the address of a remote one.
/// </summary>
public sealed class PeerInfo
{
    private string? _text;

    private PeerInfo(int? processId, uint? userId, uint? groupId, EndPoint? remoteEndPoint, string? processName = null)
    {
        ProcessName = processName;
        ProcessId = processId;
        UserId = userId;
        GroupId = groupId;
        RemoteEndPoint = remoteEndPoint;
    }

    /// <summary>A peer about which nothing is known.</summary>
    public static PeerInfo Unknown { get; } = new(null, null, null, null);

    /// <summary>The peer's process id, on Unix sockets.</summary>
    public int? ProcessId { get; }

    /// <summary>The peer's effective user id, on Unix sockets.</summary>
    public uint? UserId { get; }

    /// <summary>The peer's effective group id, on Unix sockets.</summary>
    public uint? GroupId { get; }

    /// <summary>The peer's address and port, on TCP.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>A local peer identified by its process credentials.</summary>
    public static PeerInfo FromCredentials(int processId, uint userId, uint groupId, string? processName = null) =>
        new(processId, userId, groupId, null, processName);

    /// <summary>The peer process's name (<c>/proc/PID/comm</c>), read when it connected; on Unix sockets.</summary>
    public string? ProcessName { get; }

    /// <summary>A remote peer identified by its address.</summary>
    public static PeerInfo FromEndPoint(EndPoint remoteEndPoint) => new(null, null, null, remoteEndPoint);

    /// <summary>The subject of the certificate the peer showed on a TLS listener (<c>CN=client, O=Example</c>), if any.</summary>
    public string? ClientCertificate { get; private init; }

    /// <summary>
    /// On a <c>ProxyProtocol</c> listener, the load balancer's address (the connection's own remote end);
    /// <see cref="RemoteEndPoint"/> is then the original source its PROXY header named.
    /// </summary>
    public EndPoint? ProxyEndPoint { get; private init; }

    /// <summary>This peer, with the subject of the client certificate it showed.</summary>
    public PeerInfo WithClientCertificate(string? subject) => subject is null ? this : new(ProcessId, UserId, GroupId, RemoteEndPoint, ProcessName)
    {
        ClientCertificate = subject,
        ProxyEndPoint = ProxyEndPoint,
    };

    /// <summary>The original source a PROXY header named, in place of the proxy that connected.</summary>
    public PeerInfo WithProxiedSource(EndPoint source) => new(null, null, null, source)
    {
        ProxyEndPoint = RemoteEndPoint,
        ClientCertificate = ClientCertificate,
    };

    /// <summary>The peer as it is written in logs: <c>pid=1 uid=0 gid=0 comm=systemd</c>, <c>127.0.0.1:5000</c> or <c>-</c>.</summary>
    public override string ToString() => _text ??= Format();

    private string Format()
    {
        if (ProcessId is { } pid)
        {
            return ProcessName is null
                ? string.Create(CultureInfo.InvariantCulture, $"pid={pid} uid={UserId} gid={GroupId}")
                : string.Create(CultureInfo.InvariantCulture, $"pid={pid} uid={UserId} gid={GroupId} comm={ProcessName}");
        }

        return RemoteEndPoint?.ToString() ?? "-";
    }
}
