using System.Diagnostics;

namespace SocketDaemon.Logging.Benchmarks;

/// <summary>The real daemon (the build next to this program) on a Unix socket in a temporary directory.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;

    private DaemonProcess(Process process, string directory)
    {
        _process = process;
        Directory = directory;
    }

    public string Directory { get; }

    public string Endpoint => "unix:" + Path.Combine(Directory, "d.sock");

    /// <summary>The CPU time the daemon has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static DaemonProcess Start()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sd-logging-bench-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        // DAEMON=path runs that executable (the Native AOT build that ships) instead of the JIT build next to the bench.
        var shipped = Environment.GetEnvironmentVariable("DAEMON");
        var info = new ProcessStartInfo(string.IsNullOrEmpty(shipped) ? "dotnet" : shipped) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (string.IsNullOrEmpty(shipped))
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "socketdaemon.dll"));
        }

        foreach (var argument in new[] { "--listen", "unix:" + Path.Combine(directory, "d.sock"), "--log-dir", Path.Combine(directory, "logs") })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(Path.Combine(directory, "d.sock")))
        {
            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                throw new InvalidOperationException("the daemon did not start");
            }

            Thread.Sleep(50);
        }

        return new DaemonProcess(process, directory);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
