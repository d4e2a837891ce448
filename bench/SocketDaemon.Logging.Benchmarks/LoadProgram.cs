using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Extensions.Logging;

namespace SocketDaemon.Logging.Benchmarks;

/// <summary>
/// One process logging flat out through the ILogger provider to a real daemon: entries per second from the first
/// call until the provider's dispose returns, which is when the daemon has acknowledged (logged) the last batch.
/// </summary>
public static partial class LoadProgram
{
    public static void Run(int entries)
    {
        using var daemon = DaemonProcess.Start();
        var provider = new SocketDaemonLoggerProvider(Options.Create(new SocketDaemonLoggerOptions
        {
            Endpoint = daemon.Endpoint,
            QueueLimit = entries,
            FlushTimeout = TimeSpan.FromMinutes(5),
        }));
        var logger = provider.CreateLogger("Load");
        var total = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var daemonCpu = daemon.ProcessorTime;
        for (var i = 0; i < entries; i++)
        {
            Entry(logger, i);
        }

        var logged = total.Elapsed;
        provider.Dispose();
        var elapsed = total.Elapsed;
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        daemonCpu = daemon.ProcessorTime - daemonCpu;
        var lines = Directory.GetFiles(Path.Combine(daemon.Directory, "logs"), "messages*.log").Sum(f => File.ReadLines(f).Count());
        Console.WriteLine($"entries: {entries:N0}, in the daemon's log: {lines:N0}, dropped: {provider.DroppedEntries:N0}, send failures: {provider.SendFailures}");
        Console.WriteLine($"caller: {logged.TotalSeconds:0.00} s for the log calls ({entries / logged.TotalSeconds:N0} calls/s)");
        Console.WriteLine($"delivered: {elapsed.TotalSeconds:0.00} s until acknowledged: {entries / elapsed.TotalSeconds:N0} entries/s; CPU: client process {clientCpu.TotalSeconds:0.00} s, daemon {daemonCpu.TotalSeconds:0.00} s");
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "load entry {Index} of the benchmark run")]
    private static partial void Entry(ILogger logger, int index);
}
