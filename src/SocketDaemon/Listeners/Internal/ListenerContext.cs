using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocketDaemon.Http;
using SocketDaemon.Native;
using SocketDaemon.Framing;
using SocketDaemon.Hosting;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Listeners.Internal;

/// <summary>What every connection of one listener shares.</summary>
internal sealed class ListenerContext
{
    private readonly MessagePipeline _pipeline;
    private volatile Settings _settings;

    public ListenerContext(BoundListener listener, ListenerOptions options, LimitsOptions limits, MessagePipeline pipeline, IServiceProvider services, ILogger logger)
    {
        Http = services.GetRequiredService<HttpStatusHandler>();
        Native = services.GetRequiredService<NativeProtocolHandler>();
        Listener = listener;
        Options = options;
        _pipeline = pipeline;
        Services = services;
        Logger = logger;
        _settings = new Settings(limits, options.MaxMessageBytes ?? limits.MaxMessageBytes);
        Access = AccessPolicy.Create(options);
        Tls = options.Tls.IsEnabled ? new TlsServer(options.Tls) : null;
    }

    /// <summary>Who may connect or send.</summary>
    public AccessPolicy Access { get; }

    /// <summary>TLS, on a TCP listener that has a certificate.</summary>
    public TlsServer? Tls { get; }

    public HttpStatusHandler Http { get; }

    public NativeProtocolHandler Native { get; }

    public BoundListener Listener { get; }

    public string Name => Listener.Name;

    public ListenerOptions Options { get; }

    public LimitsOptions Limits => _settings.Limits;

    public int MaxMessageBytes => _settings.MaxMessageBytes;

    /// <summary>The pipeline as it is now: a reload may have rebuilt it since the last message.</summary>
    public MessageDelegate Pipeline => _pipeline.Handler;

    public IServiceProvider Services { get; }

    public ILogger Logger { get; }

    /// <summary>Takes reloaded limits: new connections, and the next read of open ones, go by them.</summary>
    public void ApplyLimits(LimitsOptions limits) => _settings = new Settings(limits, Options.MaxMessageBytes ?? limits.MaxMessageBytes);

    public FrameReader GetReader(FramingKind kind) => kind switch
    {
        FramingKind.Seed => _settings.Seed,
        FramingKind.Lines => _settings.Lines,
        FramingKind.Octet => _settings.Octet,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Everything that follows from the limits, swapped as one so a reader never sees half a reload.</summary>
    private sealed class Settings(LimitsOptions limits, int maxMessageBytes)
    {
        public LimitsOptions Limits { get; } = limits;

        public int MaxMessageBytes { get; } = maxMessageBytes;

        public SeedFrameReader Seed { get; } = new(maxMessageBytes);

        public LineFrameReader Lines { get; } = new(maxMessageBytes);

        public OctetFrameReader Octet { get; } = new(maxMessageBytes);
    }
}
