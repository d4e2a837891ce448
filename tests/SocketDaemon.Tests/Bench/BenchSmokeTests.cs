using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Bench;

/// <summary>The load tool still runs end to end (against this build of the daemon and the C reference), so that it cannot rot.</summary>
public class BenchSmokeTests
{
    [Fact]
    public async Task The_bench_smoke_configuration_runs_against_the_daemon_and_the_c_server()
    {
        using var directory = new TempDirectory();
        var daemon = Path.Combine(AppContext.BaseDirectory, "socketdaemon");

        var (exitCode, output, error) = await ChildProcess.RunAsync(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "SocketDaemon.Bench.dll"), "--smoke", "--daemon", daemon, "--out", directory.Path],
            timeout: TimeSpan.FromMinutes(4));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{error}");
        Assert.Contains("| lines | unix | socketdaemon | ok |", output, StringComparison.Ordinal);
        Assert.Contains("| lines | unix | c | ok |", output, StringComparison.Ordinal);
        Assert.Contains("| native | unix | socketdaemon | ok |", output, StringComparison.Ordinal);

        Assert.Single(Directory.GetFiles(directory.Path, "bench-*.json"));
    }
}
