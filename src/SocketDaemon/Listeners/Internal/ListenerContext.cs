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
    private readonly SeedFrameReader _seed;
    private readonly LineFrameReader _lines;
    private readonly OctetFrameReader _octet;

    public ListenerContext(BoundListener listener, ListenerOptions options, LimitsOptions limits, MessageDelegate pipeline, IServiceProvider services, ILogger logger)
    {
        Http = services.GetRequiredService<HttpStatusHandler>();
        Native = services.GetRequiredService<NativeProtocolHandler>();
        Listener = listener;
        Options = options;
        Limits = limits;
        Pipeline = pipeline;
        Services = services;
        Logger = logger;
        MaxMessageBytes = options.MaxMessageBytes ?? limits.MaxMessageBytes;
        _seed = new SeedFrameReader(MaxMessageBytes);
        _lines = new LineFrameReader(MaxMessageBytes);
        _octet = new OctetFrameReader(MaxMessageBytes);
    }

    public HttpStatusHandler Http { get; }

    public NativeProtocolHandler Native { get; }

    public BoundListener Listener { get; }

    public string Name => Listener.Name;

    public ListenerOptions Options { get; }

    public LimitsOptions Limits { get; }

    public int MaxMessageBytes { get; }

    public MessageDelegate Pipeline { get; }

    public IServiceProvider Services { get; }

    public ILogger Logger { get; }

    public FrameReader GetReader(FramingKind kind) => kind switch
    {
        FramingKind.Seed => _seed,
        FramingKind.Lines => _lines,
        FramingKind.Octet => _octet,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
