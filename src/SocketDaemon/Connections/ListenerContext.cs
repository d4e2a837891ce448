using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Transport;

namespace SocketDaemon.Connections;

/// <summary>What every connection of one listener shares.</summary>
internal sealed class ListenerContext
{
    private readonly MessagePipeline _pipeline;
    private volatile ListenerLimits _limits;

    public ListenerContext(BoundListener listener, ListenerOptions options, LimitsOptions limits, MessagePipeline pipeline, IServiceProvider services, ILogger logger)
    {
        Protocols = services.GetRequiredService<ConnectionProtocols>();
        Time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        Listener = listener;
        Options = options;
        _pipeline = pipeline;
        Services = services;
        Logger = logger;
        _limits = new ListenerLimits(limits, options);
        Access = AccessPolicy.Create(options);
        Tls = options.Tls.IsEnabled ? new TlsServer(options.Tls) : null;
    }

    /// <summary>Who may connect or send.</summary>
    public AccessPolicy Access { get; }

    /// <summary>TLS, on a TCP listener that has a certificate.</summary>
    public TlsServer? Tls { get; }

    /// <summary>What a connection may speak, by framing.</summary>
    public ConnectionProtocols Protocols { get; }

    /// <summary>The clock of every deadline and every message's time.</summary>
    public TimeProvider Time { get; }

    public BoundListener Listener { get; }

    public string Name => Listener.Name;

    /// <summary>The listener's key under <c>SocketDaemon:Listeners</c>; systemd's second socket of <c>NAME</c> is <c>NAME-2</c> but configured as <c>NAME</c>.</summary>
    public string ConfigurationName { get; init; } = string.Empty;

    public ListenerOptions Options { get; }

    /// <summary>The limits as they are now: a reload may have changed them since the last read.</summary>
    public ListenerLimits Limits => _limits;

    public int MaxMessageBytes => _limits.MaxMessageBytes;

    /// <summary>The receive buffers its stream connections hold: none while they are idle.</summary>
    public ReceiveBufferPool ReceiveBuffers => Listener.ReceiveBuffers;

    /// <summary>Each peer's open connections on this listener.</summary>
    public PeerConnections Peers { get; } = new();

    /// <summary>The pipeline as it is now: a reload may have rebuilt it since the last message.</summary>
    public MessageDelegate Pipeline => _pipeline.Handler;

    public IServiceProvider Services { get; }

    public ILogger Logger { get; }

    /// <summary>
    /// Takes reloaded limits, and the listener's own reloaded values when given: new connections, and the next read
    /// of open ones, go by them.
    /// </summary>
    public void ApplyLimits(LimitsOptions limits, ListenerOptions? options = null)
    {
        var old = _limits;
        _limits = new ListenerLimits(limits, options ?? Options);
        old.RateLimiter?.Dispose();
    }

    /// <summary>
    /// The level of the next idle close's log line: information at most once a second per listener, debug for the rest,
    /// so that a flood of idle connections is visible but does not flood the log (every one is counted).
    /// </summary>
    public LogLevel IdleLogLevel()
    {
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref _lastIdleLog);
        return now - last >= 1000 && Interlocked.CompareExchange(ref _lastIdleLog, now, last) == last ? LogLevel.Information : LogLevel.Debug;
    }

    private long _lastIdleLog = long.MinValue / 2;

    public FrameReader GetReader(FramingKind kind) => kind switch
    {
        FramingKind.Seed => _limits.Seed,
        FramingKind.Lines => _limits.Lines,
        FramingKind.Octet => _limits.Octet,
        FramingKind.Nul => _limits.Nul,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
