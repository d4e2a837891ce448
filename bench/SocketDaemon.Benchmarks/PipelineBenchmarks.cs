using System.Buffers;
using BenchmarkDotNet.Attributes;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Benchmarks;

/// <summary>Dispatch through a pipeline of three pass-through middlewares and a terminal step, per message.</summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private const int Messages = 1000;
    private MessageDelegate _pipeline = null!;
    private MessageContext _context = null!;
    private ReadOnlySequence<byte> _payload;
    private long _seen;

    [GlobalSetup]
    public void Setup()
    {
        var services = new NoServices();
        var builder = new MessagePipelineBuilder(services);
        for (var i = 0; i < 3; i++)
        {
            builder.Use(next => context =>
            {
                _seen++;
                return next(context);
            });
        }

        _pipeline = builder.Build();
        _context = new MessageContext("bench", 1, PeerInfo.Unknown, services) { Framing = FramingKind.Lines };
        _payload = new ReadOnlySequence<byte>(Buffers.Message(1));
    }

    [Benchmark(Description = "3 middlewares, per message", OperationsPerInvoke = Messages)]
    public async ValueTask<long> Dispatch()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Messages; i++)
        {
            _context.SetMessage(_payload, now);
            await _pipeline(_context);
        }

        return _seen;
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
