using SocketDaemon.Framing;

namespace SocketDaemon.Hosting;

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

    /// <summary>The permission bits of the socket file, in octal.</summary>
    /// <remarks>Defaults to <c>0660</c>: the owner and its group may connect.</remarks>
    public string Mode { get; set; } = "0660";

    /// <summary>For datagram listeners: the socket's receive buffer (<c>SO_RCVBUF</c>), which absorbs bursts.</summary>
    /// <remarks>Defaults to the system's (<c>net.core.rmem_default</c>).</remarks>
    public int? ReceiveBufferBytes { get; set; }

    /// <summary>For a <c>nats://</c> listener: the JetStream stream to read (created if missing).</summary>
    public string? Stream { get; set; }

    /// <summary>For a <c>nats://</c> listener: the durable consumer (created if missing); daemons naming the same one share its messages.</summary>
    public string? Consumer { get; set; }

    /// <summary>For a <c>nats://</c> listener: the subjects of the stream its consumer reads, such as <c>logs.&gt;</c>.</summary>
    /// <remarks>Defaults to all of the stream's.</remarks>
    public string? FilterSubject { get; set; }

    /// <summary>Whether the listener is bound at all.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool Enabled { get; set; } = true;
}
