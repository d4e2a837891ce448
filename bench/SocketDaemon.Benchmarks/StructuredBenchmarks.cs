using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Syslog;

namespace SocketDaemon.Benchmarks;

/// <summary>
/// The structured path, per message: a <c>Parse</c> step on an RFC 5424 message with structured data (or an RFC 3164
/// one), and its JSON line (<see cref="MessageJsonFormatter"/>). Both should allocate nothing per message.
/// </summary>
[MemoryDiagnoser]
public class StructuredBenchmarks
{
    private const int Messages = 1000;
    private readonly byte[] _line = new byte[8192];
    private readonly ParseCounters _counters = new();
    private MessageContext _context = null!;
    private ReadOnlySequence<byte> _payload;

    /// <summary>What the sender wrote: RFC 5424 with structured data as logger sends it, or the local RFC 3164 form.</summary>
    [Params("rfc5424", "rfc3164")]
    public string Input { get; set; } = "rfc5424";

    [GlobalSetup]
    public void Setup()
    {
        _context = new MessageContext("unix", 1, PeerInfo.FromCredentials(812, 1000, 1000, "myapp"), new NoServices()) { Framing = FramingKind.Octet };
        _payload = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Input == "rfc5424"
            ? "<165>1 2026-12-03T06:03:08.401295+00:00 web01.example.com myapp 8710 ID47 [timeQuality tzKnown=\"1\" isSynced=\"0\"][zoo@123 tiger=\"hungry\"] An application event log entry"
            : "<36>Dec  3 06:03:08 myapp[8710]: An application event log entry"));
    }

    [Benchmark(Description = "Parse syslog", OperationsPerInvoke = Messages)]
    public int Parse()
    {
        var now = DateTimeOffset.UtcNow;
        var total = 0;
        for (var i = 0; i < Messages; i++)
        {
            _context.SetMessage(_payload, now);
            ParseMiddleware.Parse(_context, ParseFormat.Syslog, _counters);
            total += _context.Fields.Header.Message.Length;
        }

        return total;
    }

    [Benchmark(Description = "Parse syslog + format JSON line", OperationsPerInvoke = Messages)]
    public int ParseAndFormatJson()
    {
        var now = DateTimeOffset.UtcNow;
        var total = 0;
        for (var i = 0; i < Messages; i++)
        {
            _context.SetMessage(_payload, now);
            ParseMiddleware.Parse(_context, ParseFormat.Syslog, _counters);
            total += MessageJsonFormatter.Format(_context, _line);
        }

        return total;
    }

    [Benchmark(Baseline = true, Description = "Format text line (no parse)", OperationsPerInvoke = Messages)]
    public int FormatText()
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
