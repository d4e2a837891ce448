using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/SocketDaemon.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(SocketDaemon.Benchmarks.FrameReaderBenchmarks).Assembly).Run(args);
