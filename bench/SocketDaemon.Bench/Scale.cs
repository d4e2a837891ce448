using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace SocketDaemon.Bench;

/// <summary>
/// The scale targets of SPEC 7 / issue 8 point 4: time from start to <c>READY=1</c>, idle RSS, and RSS with many idle
/// connections. The daemon runs as under systemd: <c>NOTIFY_SOCKET</c> points at a datagram socket of the tool.
/// </summary>
public static class Scale
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<string> RunAsync(string daemon, string work, int idleConnections, int starts, CancellationToken token)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"| measure | value |");
        report.AppendLine("|---|---:|");

        var readyTimes = new List<double>();
        var readyCpu = new List<double>();
        for (var i = 0; i < starts; i++)
        {
            await using var run = await StartAsync(daemon, Path.Combine(work, $"scale{i}"), token);
            readyTimes.Add(run.ReadyMilliseconds);
            readyCpu.Add(run.ReadyCpuSeconds * 1000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   start {i + 1}: READY=1 after {run.ReadyMilliseconds:0.0} ms, {run.ReadyCpuSeconds * 1000:0} ms of CPU"));
        }

        readyTimes.Sort();
        readyCpu.Sort();
        report.AppendLine(CultureInfo.InvariantCulture, $"| start to READY=1, median of {starts} (min, max) | {readyTimes[readyTimes.Count / 2]:0} ms ({readyTimes[0]:0}, {readyTimes[^1]:0}) |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| CPU (user+system) until READY=1, median (min, max): what a quiet machine's start would take at least | {readyCpu[readyCpu.Count / 2]:0} ms ({readyCpu[0]:0}, {readyCpu[^1]:0}) |");

        await using (var run = await StartAsync(daemon, Path.Combine(work, "scale-idle"), token))
        {
            await Task.Delay(TimeSpan.FromSeconds(3), token);
            var idle = Rss(run.Process.Id, "VmRSS:");
            report.AppendLine(CultureInfo.InvariantCulture, $"| idle RSS, 3 s after READY=1 | {idle:0.0} MB |");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   idle RSS {idle:0.0} MB"));

            var sockets = new List<Socket>(idleConnections);
            try
            {
                var endpoint = new UnixDomainSocketEndPoint(run.SocketPath);
                for (var i = 0; i < idleConnections; i++)
                {
                    sockets.Add(await ConnectAsync(endpoint, token));
                }

                // Each connection sends one line, read and logged, then the connections idle: the daemon has seen
                // them all, and what it keeps per connection is what an idle one costs.
                var line = "idle\n"u8.ToArray();
                foreach (var socket in sockets)
                {
                    await socket.SendAsync(line, SocketFlags.None, token);
                }

                var logs = Path.Combine(run.Directory, "logs");
                var deadline = Stopwatch.StartNew();
                while (CountLines(logs) < idleConnections && deadline.Elapsed < Timeout)
                {
                    await Task.Delay(100, token);
                }

                await Task.Delay(TimeSpan.FromSeconds(3), token);
                var withConnections = Rss(run.Process.Id, "VmRSS:");
                var peak = Rss(run.Process.Id, "VmHWM:");
                var logged = CountLines(logs);
                report.AppendLine(CultureInfo.InvariantCulture, $"| RSS with {idleConnections:N0} idle Unix connections (each sent one line; {logged:N0} logged) | {withConnections:0.0} MB (peak {peak:0.0} MB) |");
                report.AppendLine(CultureInfo.InvariantCulture, $"| threads with them | {Threads(run.Process.Id)} |");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {idleConnections} idle connections: RSS {withConnections:0.0} MB, peak {peak:0.0} MB, {logged} lines logged"));
            }
            finally
            {
                foreach (var socket in sockets)
                {
                    socket.Dispose();
                }
            }
        }

        return report.ToString();
    }

    private static async Task<Running> StartAsync(string daemon, string dir, CancellationToken token)
    {
        Directory.CreateDirectory(dir);
        var notifyPath = Path.Combine(dir, "notify");
        var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var socketPath = Path.Combine(dir, "d.sock");
        var info = new ProcessStartInfo(daemon)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["NOTIFY_SOCKET"] = notifyPath,
                ["SocketDaemon__Limits__MaxConnections"] = "20000",
            },
        };
        foreach (var a in new[] { "--listen", "unix:" + socketPath, "--log-dir", Path.Combine(dir, "logs") })
        {
            info.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {daemon}");
        _ = process.StandardOutput.ReadToEndAsync(token);
        _ = process.StandardError.ReadToEndAsync(token);
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(Timeout);
        while (true)
        {
            var received = await notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (Encoding.UTF8.GetString(buffer, 0, received).Split('\n').Contains("READY=1"))
            {
                break;
            }
        }

        return new Running(process, notify, dir, socketPath, clock.Elapsed.TotalMilliseconds, ProcStats.CpuSeconds(process.Id));
    }

    // A Unix socket's connect fails with EAGAIN while the listen backlog is full: wait for the daemon to accept.
    private static async Task<Socket> ConnectAsync(UnixDomainSocketEndPoint endpoint, CancellationToken token)
    {
        for (var attempt = 0; ; attempt++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(endpoint, token);
                return socket;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock && attempt < 1000)
            {
                socket.Dispose();
                await Task.Delay(5, token);
            }
        }
    }

    private static double Rss(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    private static int Threads(int pid) => Directory.GetDirectories($"/proc/{pid}/task").Length;

    private static long CountLines(string logs) =>
        Directory.Exists(logs) ? Directory.GetFiles(logs, "messages*.log").Sum(f => File.ReadAllBytes(f).Count(b => b == '\n')) : 0;

    private sealed record Running(Process Process, Socket Notify, string Directory, string SocketPath, double ReadyMilliseconds, double ReadyCpuSeconds) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Notify.Dispose();
            if (!Process.HasExited)
            {
                _ = Libc.Kill(Process.Id, Libc.SigTerm);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await Process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    Process.Kill(entireProcessTree: true);
                }
            }

            Process.Dispose();
        }
    }
}
