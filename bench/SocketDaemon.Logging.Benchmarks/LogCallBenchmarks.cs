using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;
using SocketDaemon.Extensions.Logging;

namespace SocketDaemon.Logging.Benchmarks;

/// <summary>
/// What one log call costs the thread that makes it: the SocketDaemon ILogger provider and Serilog sink (to a real
/// daemon) against Serilog's File sink writing locally, the same entry each time.
/// </summary>
[MemoryDiagnoser]
public partial class LogCallBenchmarks
{
    private DaemonProcess _daemon = null!;
    private SocketDaemonLoggerProvider _provider = null!;
    private Microsoft.Extensions.Logging.ILogger _providerLogger = null!;
    private Serilog.Core.Logger _socketDaemonSink = null!;
    private Serilog.Core.Logger _fileSink = null!;
    private string _fileDirectory = null!;
    private int _orderId;

    [GlobalSetup]
    public void Setup()
    {
        _daemon = DaemonProcess.Start();
        _provider = new SocketDaemonLoggerProvider(Options.Create(new SocketDaemonLoggerOptions { Endpoint = _daemon.Endpoint, QueueLimit = 1_000_000 }));
        _providerLogger = _provider.CreateLogger("Shop.Orders");
        _socketDaemonSink = new LoggerConfiguration().WriteTo.SocketDaemon(_daemon.Endpoint, queueLimit: 1_000_000).CreateLogger();
        _fileDirectory = Path.Combine(Path.GetTempPath(), "sd-file-bench-" + Guid.NewGuid().ToString("N")[..8]);
        _fileSink = new LoggerConfiguration().WriteTo.File(Path.Combine(_fileDirectory, "app.log")).CreateLogger();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// provider: {_provider.DroppedEntries} entries dropped (queue full)");
        _provider.Dispose();
        _socketDaemonSink.Dispose();
        _fileSink.Dispose();
        _daemon.Dispose();
        Directory.Delete(_fileDirectory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public void Serilog_File_sink() => _fileSink.Information("order {OrderId} took {Ms} ms", ++_orderId, 950);

    [Benchmark]
    public void Serilog_SocketDaemon_sink() => _socketDaemonSink.Information("order {OrderId} took {Ms} ms", ++_orderId, 950);

    [Benchmark]
    public void ILogger_SocketDaemon_provider() => OrderTook(_providerLogger, ++_orderId, 950);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "order {OrderId} took {Ms} ms")]
    private static partial void OrderTook(Microsoft.Extensions.Logging.ILogger logger, int orderId, int ms);
}
