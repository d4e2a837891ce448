using System.Runtime.CompilerServices;
using SocketDaemon.Client.Internal;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Sending;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Client.Status;

namespace SocketDaemon.Client;

/// <summary>
/// Sends messages to SocketDaemon. With the native protocol (the default) every send completes only when the daemon
/// has the messages in its log; with <see cref="MessageFraming.Seed"/>, <see cref="MessageFraming.Lines"/> or
/// <see cref="MessageFraming.Octet"/> it speaks to any server reading that framing, such as the classic
/// <c>sock-server.c</c>, and a send completes when the bytes are written.
/// </summary>
/// <example>
/// <code>
/// await using var client = await SocketDaemonClient.ConnectAsync("unix:/run/socketdaemon/socketdaemon.sock");
/// await client.SendAsync("hello");                       // acknowledged: it is in the log
/// await client.SendManyAsync(File.ReadLines("app.log"));   // pipelined batches
/// var status = await client.GetStatusAsync();
/// </code>
/// </example>
public sealed class SocketDaemonClient : IAsyncDisposable
{
    private readonly SocketDaemonClientOptions _options;
    private readonly IMessageSender _sender;

    // Status, quit and tail: the native sender itself, or (with a spool) one that connects at the first request.
    private readonly NativeSender? _requests;
    private bool _disposed;

    private SocketDaemonClient(SocketEndpoint endpoint, SocketDaemonClientOptions options, IMessageSender sender, NativeSender? requests)
    {
        Endpoint = endpoint;
        _options = options;
        _sender = sender;
        _requests = requests;
    }

    /// <summary>The endpoint this client is connected to.</summary>
    public SocketEndpoint Endpoint { get; }

    /// <summary>How this client frames its messages.</summary>
    public MessageFraming Framing => _options.Framing;

    /// <summary>Connects to <paramref name="endpoint"/> (<c>unix:/path</c>, <c>unix:@name</c> or <c>tcp://host:port</c>).</summary>
    /// <param name="endpoint">Where the daemon listens.</param>
    /// <param name="options">How to connect and send; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="FormatException">The endpoint string is not valid.</exception>
    /// <exception cref="SocketDaemonConnectException">Nothing accepted the connection in time.</exception>
    public static Task<SocketDaemonClient> ConnectAsync(string endpoint, SocketDaemonClientOptions? options = null, CancellationToken cancellationToken = default)
        => ConnectAsync(SocketEndpoint.Parse(endpoint), options, cancellationToken);

    /// <summary>Connects to <paramref name="endpoint"/>; with the native protocol, also negotiates its version.</summary>
    /// <param name="endpoint">Where the daemon listens.</param>
    /// <param name="options">How to connect and send; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="SocketDaemonConnectException">Nothing accepted the connection in time.</exception>
    /// <exception cref="NativeProtocolException">The server does not speak the native protocol.</exception>
    public static async Task<SocketDaemonClient> ConnectAsync(SocketEndpoint endpoint, SocketDaemonClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.IsDatagram || endpoint.IsNats)
        {
            throw new ArgumentException($"{endpoint} is a {(endpoint.IsNats ? "NATS" : "datagram")} endpoint; the client connects to unix: and tcp:// endpoints.", nameof(endpoint));
        }

        options ??= new SocketDaemonClientOptions();
        if (options.Spool is { } spool)
        {
            if (options.Framing != MessageFraming.Native)
            {
                throw new ArgumentException($"The Spool option needs the native protocol; this client uses {options.Framing} framing.", nameof(options));
            }

            return new SocketDaemonClient(endpoint, options, new SpoolingSender(endpoint, options, spool), new NativeSender(endpoint, options));
        }

        if (options.Framing != MessageFraming.Native)
        {
            return new SocketDaemonClient(endpoint, options, await RawSender.ConnectAsync(endpoint, options, cancellationToken), null);
        }

        var native = new NativeSender(endpoint, options);
        await native.OpenAsync(cancellationToken);
        return new SocketDaemonClient(endpoint, options, native, native);
    }

    /// <summary>Sends one message; with the native protocol, completes when the daemon has logged it.</summary>
    /// <param name="message">The message text, sent as UTF-8.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the message is sent (acknowledged, spooled or written, by mode).</returns>
    /// <exception cref="SocketDaemonException">The daemon refused the message.</exception>
    public Task SendAsync(string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _sender.SendOneAsync(message.AsMemory(), default, cancellationToken);
    }

    /// <summary>Sends one message of raw bytes; with the native protocol, completes when the daemon has logged it.</summary>
    /// <param name="message">The message bytes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the message is sent (acknowledged, spooled or written, by mode).</returns>
    /// <exception cref="SocketDaemonException">The daemon refused the message.</exception>
    public Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _sender.SendOneAsync(default, message, cancellationToken);
    }

    /// <summary>
    /// Sends many messages in batches of about <see cref="SocketDaemonClientOptions.BatchBytes"/>, with up to
    /// <see cref="SocketDaemonClientOptions.MaxInFlightBatches"/> awaiting acknowledgement at once.
    /// </summary>
    /// <param name="messages">The messages, sent in order.</param>
    /// <param name="cancellationToken">Stops sending.</param>
    /// <returns>How many messages were sent (and, with the native protocol, acknowledged).</returns>
    /// <exception cref="SocketDaemonException">The daemon refused some messages; the others are logged.</exception>
    public Task<long> SendManyAsync(IEnumerable<string> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return SendManyAsync(AsAsync(messages, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Sends messages as the source yields them, in batches; when the source has nothing ready, what is gathered
    /// goes out at once rather than wait for a full batch.
    /// </summary>
    /// <param name="messages">The messages, sent in order.</param>
    /// <param name="cancellationToken">Stops sending.</param>
    /// <returns>How many messages were sent (and, with the native protocol, acknowledged).</returns>
    /// <exception cref="SocketDaemonException">The daemon refused some messages; the others are logged.</exception>
    public Task<long> SendManyAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _sender.SendManyAsync(messages, cancellationToken);
    }

    /// <summary>
    /// Sends messages of raw bytes (UTF-8 text, say, encoded once by the caller) as the source yields them, in
    /// batches; when the source has nothing ready, what is gathered goes out at once rather than wait for a full batch.
    /// </summary>
    /// <remarks>
    /// Each message is copied into its batch before the source is asked for the next one, so a source may hand out
    /// slices of a buffer it reuses once <see cref="IAsyncEnumerator{T}.MoveNextAsync"/> is called again.
    /// </remarks>
    /// <param name="messages">The messages, sent in order.</param>
    /// <param name="cancellationToken">Stops sending.</param>
    /// <returns>How many messages were sent (and, with the native protocol, acknowledged).</returns>
    /// <exception cref="SocketDaemonException">The daemon refused some messages; the others are logged.</exception>
    public Task<long> SendManyAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _sender.SendManyAsync(messages, cancellationToken);
    }

    /// <summary>
    /// With <see cref="SocketDaemonClientOptions.Spool"/>: completes when the daemon has acknowledged every message
    /// spooled so far. Without it, sends are acknowledged when they complete, and this returns at once.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the messages stay in the spool.</param>
    /// <returns>A task that completes when everything sent so far is delivered.</returns>
    public Task WaitUntilDeliveredAsync(CancellationToken cancellationToken = default) => _sender.WaitUntilDeliveredAsync(cancellationToken);

    /// <summary>Asks the daemon for its status: listeners, connections and counters.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The daemon's status.</returns>
    /// <exception cref="InvalidOperationException">The client does not use the native protocol.</exception>
    public async Task<DaemonStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var reply = await Requests(NativeFrameType.Status).RequestAsync(NativeFrameType.Status, cancellationToken);
        return reply.Status ?? throw new NativeProtocolException("the daemon's status reply was empty");
    }

    /// <summary>Asks the daemon to stop, and waits until it has closed this connection on its way out.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the daemon has closed the connection.</returns>
    /// <exception cref="SocketDaemonException">The daemon refused: this user may not stop it, or it is already stopping.</exception>
    public async Task QuitAsync(CancellationToken cancellationToken = default)
    {
        var requests = Requests(NativeFrameType.Quit);
        await requests.RequestAsync(NativeFrameType.Quit, cancellationToken);
        await requests.Closed.WaitAsync(_options.RequestTimeout, cancellationToken);
    }

    /// <summary>
    /// Follows the messages arriving at the daemon from now on, like <c>journalctl -f</c>: those of
    /// <paramref name="listener"/> (all when null) whose text contains <paramref name="grep"/> (all when null).
    /// A follower that reads too slowly gets an event with <see cref="Tail.TailEvent.Skipped"/> instead of what it missed.
    /// Ends when the daemon stops.
    /// </summary>
    /// <param name="listener">The listener whose messages to follow; all when <see langword="null"/>.</param>
    /// <param name="grep">Text a message must contain; all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops following.</param>
    /// <returns>The messages as they arrive.</returns>
    public async IAsyncEnumerable<Tail.TailEvent> TailAsync(string? listener = null, string? grep = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_options.Framing != MessageFraming.Native)
        {
            throw new InvalidOperationException($"Tail needs the native protocol; this client uses {_options.Framing} framing.");
        }

        await foreach (var reply in _requests!.TailAsync(listener ?? string.Empty, grep ?? string.Empty, cancellationToken))
        {
            yield return reply.Tail!;
        }
    }

    /// <summary>Sends what is buffered (without the native protocol, writes are buffered until a flush or a full batch).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the buffered bytes are written.</returns>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _sender.FlushAsync(cancellationToken);

    /// <summary>Flushes what is buffered, tells the server no more is coming, and closes the connection.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _sender.DisposeAsync();
        if (_requests is not null && !ReferenceEquals(_requests, _sender))
        {
            await _requests.DisposeAsync();
        }
    }

    /// <summary>
    /// Connects to <paramref name="endpoint"/> (TLS for <c>tls://</c>, with the sender's TLS settings, else the system's roots) and negotiates
    /// the native protocol, the same way a client does: the way in for the spool sender and the daemon's <c>Forward</c>.
    /// </summary>
    internal static Task<NativeConnection> ConnectNativeAsync(SocketEndpoint endpoint, TimeSpan connectTimeout, CancellationToken cancellationToken) =>
        ConnectNativeAsync(endpoint, new SpoolSenderOptions { ConnectTimeout = connectTimeout }, cancellationToken);

    /// <inheritdoc cref="ConnectNativeAsync(SocketEndpoint, TimeSpan, CancellationToken)"/>
    internal static Task<NativeConnection> ConnectNativeAsync(SocketEndpoint endpoint, SpoolSenderOptions sender, CancellationToken cancellationToken) =>
        ClientConnector.ConnectNativeAsync(endpoint, new SocketDaemonClientOptions
        {
            ConnectTimeout = sender.ConnectTimeout,
            TlsCaFile = sender.TlsCaFile,
            TlsClientCertificate = sender.TlsClientCertificate,
            TlsServerName = sender.TlsServerName,
        }, cancellationToken);

    private NativeSender Requests(NativeFrameType type) => _requests
        ?? throw new InvalidOperationException($"{type} requests need the native protocol; this client uses {_options.Framing} framing.");

    private static async IAsyncEnumerable<string> AsAsync(IEnumerable<string> messages, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var message in messages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return message;
        }

        await Task.CompletedTask;
    }
}
