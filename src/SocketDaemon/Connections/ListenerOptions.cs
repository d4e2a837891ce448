using SocketDaemon.Configuration;
using SocketDaemon.Framing;
using SocketDaemon.Transport;

namespace SocketDaemon.Connections;

/// <summary>One listener: an endpoint and how its connections are read.</summary>
public sealed class ListenerOptions
{
    /// <summary>Where to listen: <c>unix:/path</c>, <c>unix:@name</c> or <c>tcp://host:port</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>How connections divide their bytes into messages.</summary>
    /// <remarks>Defaults to <see cref="FramingKind.Auto"/>.</remarks>
    public FramingKind Framing { get; set; } = FramingKind.Auto;

    /// <summary>The listen queue length passed to <c>listen(2)</c>.</summary>
    /// <remarks>
    /// Defaults to <see cref="ClassicBacklog"/> (5, as the classic <c>sock-server.c</c>) on Unix sockets, and to
    /// <see cref="TcpBacklog"/> on TCP. A Unix client that finds the queue full waits (or gets <c>EAGAIN</c> and
    /// retries); a TCP client whose handshake completes into a full queue can write, close and never be accepted,
    /// losing its messages without an error on either side (measured: 25 clients at once against a backlog of 5 lost
    /// a quarter of their messages, with <c>ListenOverflows</c> counting up).
    /// </remarks>
    public int? Backlog { get; set; }

    /// <summary>The default backlog of Unix listeners.</summary>
    public const int ClassicBacklog = 5;

    /// <summary>The default backlog of sockets systemd passed: its own default for <c>Backlog=</c>, SOMAXCONN.</summary>
    public const int SystemdBacklog = 4096;

    /// <summary>The default backlog of TCP listeners, as nginx and Redis use.</summary>
    public const int TcpBacklog = 511;

    /// <summary>The longest message on this listener.</summary>
    /// <remarks>Defaults to <see cref="LimitsOptions.MaxMessageBytes"/>.</remarks>
    public int? MaxMessageBytes { get; set; }

    /// <summary>The most connections open at once on this listener; more are refused.</summary>
    /// <remarks>Defaults to none of its own: only <see cref="LimitsOptions.MaxConnections"/>, over all listeners, applies.</remarks>
    public int? MaxConnections { get; set; }

    /// <summary>The most connections one peer may have open on this listener.</summary>
    /// <remarks>Defaults to <see cref="LimitsOptions.MaxConnectionsPerPeer"/>.</remarks>
    public int? MaxConnectionsPerPeer { get; set; }

    /// <summary>Silence allowed between messages.</summary>
    /// <remarks>Defaults to <see cref="LimitsOptions.IdleTimeout"/>.</remarks>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>Time for a started frame to complete.</summary>
    /// <remarks>Defaults to <see cref="LimitsOptions.FrameTimeout"/>.</remarks>
    public TimeSpan? FrameTimeout { get; set; }

    /// <summary>The slowest a started frame may arrive.</summary>
    /// <remarks>Defaults to <see cref="LimitsOptions.MinDataRate"/>.</remarks>
    public MinDataRateOptions? MinDataRate { get; set; }

    /// <summary>How long a connection may live.</summary>
    /// <remarks>Defaults to <see cref="LimitsOptions.MaxConnectionAge"/>.</remarks>
    public TimeSpan? MaxConnectionAge { get; set; }

    /// <summary>What happens to a frame longer than <see cref="MaxMessageBytes"/>.</summary>
    /// <remarks>Defaults to <see cref="LimitsOptions.Oversize"/>.</remarks>
    public OversizePolicy? Oversize { get; set; }

    /// <summary>How many messages a peer, or the listener, may send per second.</summary>
    /// <remarks>Defaults to <see cref="LimitsOptions.RateLimit"/>.</remarks>
    public RateLimitOptions? RateLimit { get; set; }

    /// <summary>The permission bits of the socket file, in octal.</summary>
    /// <remarks>Defaults to <c>0660</c>: the owner and its group may connect.</remarks>
    public string Mode { get; set; } = "0660";

    /// <summary>The owner of the socket file: a user name or number.</summary>
    /// <remarks>Defaults to the daemon's user. Giving a file away takes root (or <c>CAP_CHOWN</c>).</remarks>
    public string? Owner { get; set; }

    /// <summary>The group of the socket file: a group name or number; with <see cref="Mode"/> <c>0660</c> its members may connect.</summary>
    /// <remarks>Defaults to the daemon's group. A user that is not root may choose only a group it is a member of.</remarks>
    public string? Group { get; set; }

    /// <summary>Unix listeners: the peer user ids (<c>SO_PEERCRED</c>), numbers or names, that may connect or send.</summary>
    /// <remarks>Defaults to everyone the socket file's mode lets in. With <see cref="AllowGids"/>, either list admits a peer.</remarks>
    public List<string>? AllowUids { get; set; }

    /// <summary>Unix listeners: the peer group ids (<c>SO_PEERCRED</c>, the primary group), numbers or names, that may connect or send.</summary>
    /// <remarks>Defaults to everyone the socket file's mode lets in.</remarks>
    public List<string>? AllowGids { get; set; }

    /// <summary>TCP and UDP listeners: the address ranges (CIDR, as <c>10.0.0.0/8</c>, or single addresses) that may connect or send.</summary>
    /// <remarks>Defaults to everyone who can reach the bound address.</remarks>
    public List<string>? AllowAddresses { get; set; }

    /// <summary>Whether <c>quit</c> (the message or the native request) may stop the daemon through this listener.</summary>
    /// <remarks>Defaults to <see langword="true"/>; <c>Commands:Quit</c> still decides who may.</remarks>
    public bool AllowQuit { get; set; } = true;

    /// <summary>Whether this listener answers status requests: HTTP (<c>/</c>, <c>/status</c>, <c>/metrics</c>) and the native protocol's.</summary>
    /// <remarks>Defaults to <see langword="true"/>. <c>/healthz</c> is always answered.</remarks>
    public bool AllowStatus { get; set; } = true;

    /// <summary>TCP listeners: TLS, when its certificate is set.</summary>
    /// <remarks>Defaults to none: plain TCP.</remarks>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>
    /// TCP listeners: every connection starts with a PROXY protocol (v1 or v2) header, as a load balancer sends it,
    /// whose source address is the peer. Anyone who reaches the listener can claim any address in it.
    /// </summary>
    /// <remarks>Defaults to <see langword="false"/>.</remarks>
    public bool ProxyProtocol { get; set; }

    /// <summary>For datagram listeners: the socket's receive buffer (<c>SO_RCVBUF</c>), which absorbs bursts.</summary>
    /// <remarks>Defaults to 4 MiB, enough for a <c>logger</c> burst; never shrinks a larger buffer systemd set.</remarks>
    public int? ReceiveBufferBytes { get; set; }

    /// <summary>For a <c>nats://</c> listener: the JetStream stream to read (created if missing).</summary>
    public string? Stream { get; set; }

    /// <summary>For a <c>nats://</c> listener: the durable consumer (created if missing); daemons naming the same one share its messages.</summary>
    public string? Consumer { get; set; }

    /// <summary>For a <c>nats://</c> listener: the subjects of the stream its consumer reads, such as <c>logs.&gt;</c>.</summary>
    /// <remarks>Defaults to all of the stream's.</remarks>
    public string? FilterSubject { get; set; }

    /// <summary>
    /// For a <c>nats://</c> listener: the acknowledgement policy of its durable consumer (JetStream's <c>ack_policy</c>).
    /// <see cref="NatsAckPolicy.All"/> acknowledges a batch with one message, the highest stream sequence whose every
    /// pending message at or below it is logged, which saves NATS most of its acknowledgement work. It is only for a
    /// consumer this one listener reads: JetStream takes the acknowledgement for every message pending below it,
    /// including those another aggregator sharing the consumer holds and has not logged. A consumer's policy cannot be
    /// changed: switching needs a new consumer (another name, or <c>nats consumer rm</c> first).
    /// </summary>
    /// <remarks>Defaults to <see cref="NatsAckPolicy.Explicit"/>.</remarks>
    public NatsAckPolicy AckPolicy { get; set; } = NatsAckPolicy.Explicit;

    /// <summary>Whether the listener is bound at all.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool Enabled { get; set; } = true;

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(Endpoint), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Framing), ConfigurationShape.Value(ValueForm.Enum<FramingKind>())),
        (nameof(Backlog), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(MaxMessageBytes), ConfigurationShape.Value(ValueForm.Bytes32)),
        (nameof(MaxConnections), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(MaxConnectionsPerPeer), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(IdleTimeout), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(FrameTimeout), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(MinDataRate), MinDataRateOptions.Shape()),
        (nameof(MaxConnectionAge), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(Oversize), ConfigurationShape.Value(ValueForm.Enum<OversizePolicy>())),
        (nameof(RateLimit), RateLimitOptions.Shape()),
        (nameof(Mode), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Owner), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Group), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(AllowUids), ConfigurationShape.List(ValueForm.Text)),
        (nameof(AllowGids), ConfigurationShape.List(ValueForm.Text)),
        (nameof(AllowAddresses), ConfigurationShape.List(ValueForm.Text)),
        (nameof(AllowQuit), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(AllowStatus), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(Tls), TlsOptions.Shape()),
        (nameof(ProxyProtocol), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(ReceiveBufferBytes), ConfigurationShape.Value(ValueForm.Bytes32)),
        (nameof(Stream), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Consumer), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(FilterSubject), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(AckPolicy), ConfigurationShape.Value(ValueForm.Enum<NatsAckPolicy>())),
        (nameof(Enabled), ConfigurationShape.Value(ValueForm.Boolean)));
}
