using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SocketDaemon.Logging.Benchmarks;

// dotnet run -c Release --project bench/SocketDaemon.Logging.Benchmarks -- calls        (BenchmarkDotNet: cost per log call)
// dotnet run -c Release --project bench/SocketDaemon.Logging.Benchmarks -- load 1000000 (entries/s delivered to a real daemon)
if (args is ["load", ..])
{
    LoadProgram.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

// In process: the benchmark starts the daemon itself, and a separately built benchmark process would need its build too.
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkRunner.Run<LogCallBenchmarks>(config, args.Skip(1).ToArray());
