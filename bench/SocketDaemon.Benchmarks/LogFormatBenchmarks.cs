using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Benchmarks;

/// <summary>Formatting a message into its escaped log line (<see cref="MessageLineFormatter"/>), per message.</summary>
[MemoryDiagnoser]
public class LogFormatBenchmarks
{
    private const int Messages = 1000;
    private readonly byte[] _line = new byte[4096];
    private MessageContext _context = null!;
    private ReadOnlySequence<byte> _payload;

    /// <summary>A plain 64-byte message, or one with a newline and an escape sequence to escape.</summary>
    [Params("plain", "controls")]
    public string Text { get; set; } = "plain";

    [GlobalSetup]
    public void Setup()
    {
        _context = new MessageContext("unix", 1, PeerInfo.FromCredentials(812, 1000, 1000, "myapp"), new NoServices()) { Framing = FramingKind.Lines };
        _payload = new ReadOnlySequence<byte>(Text == "plain" ? Buffers.Message(1) : Encoding.UTF8.GetBytes("a\nFAKE 2026-01-01 forged \u001b[31m red \u001b[0m and 40 more bytes of text....."));
    }

    [Benchmark(Description = "Format one line", OperationsPerInvoke = Messages)]
    public int Format()
    {
        var now = DateTimeOffset.UtcNow;
        var total = 0;
        for (var i = 0; i < Messages; i++)
        {
            _context.SetMessage(_payload, now);
            total += MessageLineFormatter.Format(_context, _line);
        }

        return total;
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
