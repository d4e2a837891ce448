using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace SocketDaemon.Bench;

/// <summary>One measured run of one server.</summary>
public sealed record RunResult(
    string Target,
    string Framing,
    string Transport,
    int Connections,
    int Messages,
    int Size,
    string Status,
    string? Note,
    long Logged,
    double Seconds,
    double CpuSeconds,
    double PeakRssMb,
    double? P50Ms,
    double? P99Ms,
    double? P999Ms)
{
    /// <summary>The note on one line, short enough for a table cell.</summary>
    public string? ShortNote => Note is null ? null : string.Join(' ', Note.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) is var n && n.Length > 160 ? n[..160] + "..." : n;

    public double MessagesPerSecond => Status == "ok" ? Messages / Seconds : 0;

    public double MegabytesPerSecond => Status == "ok" ? (double)Messages * Size / Seconds / 1e6 : 0;
}

/// <summary>A server under test, started with a fresh log directory.</summary>
internal sealed class RunningServer(Process process, string endpoint, string logDir, string logPattern)
{
    /// <summary>For the daemon with an output step: how many messages reached the output's destination, in place of counting log lines.</summary>
    public Func<long>? Count { get; init; }

    /// <summary>For the daemon with an output step: the local receiver it sends to, stopped after the run.</summary>
    public Process? Sink { get; init; }

    public Process Process { get; } = process;

    /// <summary>The endpoint in SocketEndpoint syntax: unix:/path or tcp://127.0.0.1:port.</summary>
    public string Endpoint { get; } = endpoint;

    public string LogDir { get; } = logDir;

    public string LogPattern { get; } = logPattern;
}

/// <summary>Starts the daemon and the references, runs the load, counts the logged lines.</summary>
public sealed partial class Servers(BenchOptions options, string root, string work, string daemon)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private string? _cServer;
    private int _run;

    /// <summary>dotnet publish -c Release src/SocketDaemon into the work directory; returns the executable.</summary>
    public static async Task<string> PublishDaemonAsync(string root, string work, CancellationToken cancellationToken)
    {
        var output = Path.Combine(work, "daemon");
        Console.WriteLine($"publishing {Path.Combine(root, "src", "SocketDaemon")} (Release) to {output}");
        var (code, text) = await RunToEndAsync("dotnet", ["publish", "-c", "Release", Path.Combine(root, "src", "SocketDaemon"), "-o", output, "--nologo", "-v", "q"], TimeSpan.FromMinutes(10), cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({code}):\n{text}");
        }

        return Path.Combine(output, "socketdaemon");
    }

    public async Task<RunResult> RunAsync(string target, Scenario s, Payloads payloads, CancellationToken cancellationToken)
    {
        RunResult Result(string status, string? note, long logged = 0, double seconds = 0, double cpu = 0, double rss = 0, double[]? lat = null) =>
            new(target, s.Framing, s.Transport, s.Connections, s.Messages, s.Size, status, note, logged, seconds, cpu, rss,
                Percentile(lat, 0.50), Percentile(lat, 0.99), Percentile(lat, 0.999));

        var unsupported = Unsupported(target, s);
        if (unsupported is not null)
        {
            return Result("n/a", unsupported);
        }

        var dir = Path.Combine(work, $"run{++_run}-{target}-{s.Framing}-{s.Transport}");
        Directory.CreateDirectory(dir);
        RunningServer? server = null;
        using var runTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        runTimeout.CancelAfter(options.RunTimeout);
        var token = runTimeout.Token;
        try
        {
            server = target switch
            {
                "socketdaemon" => await StartDaemonAsync(dir, s, token),
                "socketdaemon+syslog" => await StartDaemonWithSyslogAsync(dir, s, token),
                "socketdaemon+postgres" => await StartDaemonWithPostgresAsync(dir, s, token),
                "c" => await StartCAsync(dir, s, token),
                "rsyslog" => await StartRsyslogAsync(dir, s, token),
                _ => await StartSyslogNgAsync(dir, s, token),
            };
            if (server is null)
            {
                return Result("n/a", $"{target} is not installed");
            }

            var counter = new LineCounter(server.LogDir, server.LogPattern);
            Func<long> count = server.Count ?? counter.Count;
            var before = ProcStats.CpuSeconds(server.Process.Id);
            var started = Stopwatch.GetTimestamp();
            double[]? latencies = null;
            if (s.Framing == "native")
            {
                latencies = await Load.SendNativeAsync(server.Endpoint, payloads, token);
            }
            else
            {
                await Load.SendRawAsync(ToEndPoint(server.Endpoint), payloads, token);
            }

            long logged;
            while ((logged = count()) < s.Messages)
            {
                if (server.Process.HasExited)
                {
                    return Result("failed", $"{target} exited with {server.Process.ExitCode} after logging {logged}", logged);
                }

                if (token.IsCancellationRequested)
                {
                    return Result("failed", $"timed out after {options.RunTimeout.TotalSeconds:F0} s with {logged} of {s.Messages} logged", logged);
                }

                await Task.Delay(10, CancellationToken.None);
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpu = ProcStats.CpuSeconds(server.Process.Id) - before;
            var rss = ProcStats.PeakRssMb(server.Process.Id);
            var note = logged > s.Messages ? $"{logged - s.Messages} extra lines" : null;
            return Result("ok", note, logged, seconds, cpu, rss, latencies);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result("failed", $"timed out after {options.RunTimeout.TotalSeconds:F0} s");
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException or Client.SocketDaemonException or TimeoutException)
        {
            return Result("failed", $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            if (server is not null)
            {
                await StopAsync(server.Process);
                if (server.Sink is not null)
                {
                    await StopAsync(server.Sink);
                }
            }
        }
    }

    private string? Unsupported(string target, Scenario s) => (target, s.Framing, s.Transport) switch
    {
        ("socketdaemon", _, _) => null,
        ("socketdaemon+postgres", _, _) when options.Postgres is null => "no --postgres connection string",
        ("socketdaemon+syslog" or "socketdaemon+postgres", _, _) => null,
        (_, "native", _) => "no native protocol",
        ("c", "syslog-json", _) => "no syslog parsing",
        ("c", _, _) => null,
        ("rsyslog", "seed", _) => "no seed framing",
        ("syslog-ng", "seed", _) => "no seed framing",
        ("syslog-ng", "octet" or "syslog-json", "unix") => "no octet framing on unix-stream()",
        _ => null,
    };

    private async Task<RunningServer?> StartDaemonAsync(string dir, Scenario s, CancellationToken token)
    {
        var logs = Path.Combine(dir, "logs");
        Directory.CreateDirectory(logs);
        var listen = s.Transport == "unix" ? $"unix:{Path.Combine(dir, "d.sock")}" : "tcp://127.0.0.1:0";
        string[] args = ["--listen", listen, "--log-dir", logs];
        if (s.Framing == "syslog-json")
        {
            var config = Path.Combine(dir, "structured.json");
            await File.WriteAllTextAsync(config, """
                { "SocketDaemon": { "Pipeline": [ { "Handler": "Parse", "Format": "syslog" }, { "Handler": "Log", "Format": "json" } ] } }
                """, token);
            args = [.. args, "--config", config];
        }

        var process = Start(daemon, args, dir);
        var endpoint = (await WaitForLinesAsync(process, [BoundRegex(), StartedRegex()], token))[0];
        return new RunningServer(process, endpoint.Groups[1].Value, logs, "messages*.log");
    }

    private async Task<RunningServer?> StartCAsync(string dir, Scenario s, CancellationToken token)
    {
        await CompileCServerAsync(token);
        var path = Path.Combine(dir, "c.sock");
        var process = Start(_cServer!, [s.Transport, s.Transport == "unix" ? path : "0", s.Framing, Path.Combine(dir, "out.log")], dir);
        var ready = (await WaitForLinesAsync(process, [ReadyRegex()], token))[0];
        var endpoint = s.Transport == "unix" ? $"unix:{path}" : $"tcp://127.0.0.1:{ready.Groups[1].Value}";
        return new RunningServer(process, endpoint, dir, "out.log");
    }

    private async Task CompileCServerAsync(CancellationToken token)
    {
        if (_cServer is null)
        {
            var exe = Path.Combine(work, "refserver");
            var source = Path.Combine(root, "bench", "reference", "server.c");
            var (code, text) = await RunToEndAsync("cc", ["-O2", "-pthread", "-o", exe, source], TimeSpan.FromMinutes(1), token);
            if (code != 0)
            {
                throw new InvalidOperationException($"cc failed ({code}):\n{text}");
            }

            _cServer = exe;
        }
    }

    private async Task<RunningServer?> StartRsyslogAsync(string dir, Scenario s, CancellationToken token)
    {
        var exe = options.Rsyslogd ?? Which("rsyslogd") ?? (File.Exists("/opt/rsyslog/usr/sbin/rsyslogd") ? "/opt/rsyslog/usr/sbin/rsyslogd" : null);
        if (exe is null)
        {
            return null;
        }

        // An rsyslog unpacked outside /usr (dpkg-deb -x, because rsyslog and syslog-ng-core conflict) brings its modules along.
        var modules = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(exe)!, "..", "lib", "x86_64-linux-gnu", "rsyslog"));
        var path = Path.Combine(dir, "r.sock");
        var port = s.Transport == "tcp" ? FreePort() : 0;
        var input = s.Transport == "unix" ? $"path=\"{path}\"" : $"address=\"127.0.0.1\" port=\"{port}\"";
        var conf = Path.Combine(dir, "rsyslog.conf");
        await File.WriteAllTextAsync(conf, $"""
            global(workDirectory="{dir}")
            module(load="imptcp")
            template(name="raw" type="string" string="%rawmsg%\n")
            template(name="json" type="string" string="%jsonmesg%\n")
            ruleset(name="bench") {"{"}
              action(type="omfile" file="{Path.Combine(dir, "out.log")}" template="{(s.Framing == "syslog-json" ? "json" : "raw")}")
            {"}"}
            input(type="imptcp" {input} ruleset="bench")

            """, token);
        string[] args = ["-n", "-f", conf, "-i", Path.Combine(dir, "rsyslog.pid")];
        if (!exe.StartsWith("/usr/", StringComparison.Ordinal) && Directory.Exists(modules))
        {
            args = [.. args, "-M", modules];
        }

        var process = Start(exe, args, dir);
        var endpoint = s.Transport == "unix" ? $"unix:{path}" : $"tcp://127.0.0.1:{port}";
        await WaitConnectableAsync(process, endpoint, token);
        return new RunningServer(process, endpoint, dir, "out.log");
    }

    private static async Task<RunningServer?> StartSyslogNgAsync(string dir, Scenario s, CancellationToken token)
    {
        var exe = Which("syslog-ng");
        if (exe is null)
        {
            return null;
        }

        var (_, versionText) = await RunToEndAsync(exe, ["--version"], TimeSpan.FromSeconds(10), token);
        var version = ConfigVersionRegex().Match(versionText) is { Success: true } m ? m.Groups[1].Value : "3.35";
        var path = Path.Combine(dir, "n.sock");
        var port = s.Transport == "tcp" ? FreePort() : 0;
        var source = (s.Framing, s.Transport) switch
        {
            ("syslog-json", _) => $"syslog(ip(\"127.0.0.1\") port({port}) transport(\"tcp\") max-connections(100) log-iw-size(100000))",
            ("octet", _) => $"syslog(ip(\"127.0.0.1\") port({port}) transport(\"tcp\") flags(no-parse) max-connections(100) log-iw-size(100000))",
            (_, "unix") => $"unix-stream(\"{path}\" flags(no-parse) max-connections(100) log-iw-size(100000))",
            _ => $"network(ip(\"127.0.0.1\") port({port}) transport(\"tcp\") flags(no-parse) max-connections(100) log-iw-size(100000))",
        };
        var conf = Path.Combine(dir, "syslog-ng.conf");
        await File.WriteAllTextAsync(conf, $$"""
            @version: {{version}}
            options { stats_freq(0); log_fifo_size(100000); use_dns(no); keep_hostname(yes); };
            source s_bench { {{source}}; };
            destination d_bench { file("{{Path.Combine(dir, "out.log")}}" template("{{(s.Framing == "syslog-json" ? "$(format-json --scope rfc5424)" : "${MESSAGE}")}}\n")); };
            log { source(s_bench); destination(d_bench); flags(flow-control); };

            """, token);
        var process = Start(exe, ["-F", "-f", conf, "--persist-file", Path.Combine(dir, "syslog-ng.persist"), "--pidfile", Path.Combine(dir, "syslog-ng.pid"), "--control", Path.Combine(dir, "syslog-ng.ctl")], dir);
        var endpoint = s.Transport == "unix" ? $"unix:{path}" : $"tcp://127.0.0.1:{port}";
        await WaitConnectableAsync(process, endpoint, token);
        return new RunningServer(process, endpoint, dir, "out.log");
    }

    private static Process Start(string exe, string[] args, string dir)
    {
        var info = new ProcessStartInfo(exe)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {exe}");
        process.StandardInput.Close();
        return process;
    }

    /// <summary>
    /// Reads stdout until lines have matched each regex in turn, then keeps draining it in the background so
    /// the server never blocks on a full pipe. Returns the matches.
    /// </summary>
    private static async Task<Match[]> WaitForLinesAsync(Process process, Regex[] regexes, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(StartTimeout);
        var seen = new List<string>();
        var matches = new List<Match>();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                seen.Add(line);
                if (regexes[matches.Count].Match(line) is { Success: true } match)
                {
                    matches.Add(match);
                    if (matches.Count == regexes.Length)
                    {
                        DrainInBackground(process.StandardOutput);
                        return [.. matches];
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
        }

        var stderr = process.HasExited ? await process.StandardError.ReadToEndAsync(token) : string.Empty;
        throw new InvalidOperationException($"{process.StartInfo.FileName} did not print /{regexes[matches.Count]}/ within {StartTimeout.TotalSeconds} s: {string.Join(" | ", seen.TakeLast(5))} {stderr}".Trim());
    }

    private static void DrainInBackground(StreamReader reader) =>
        _ = Task.Run(async () =>
        {
            try
            {
                while (await reader.ReadLineAsync() is not null)
                {
                }
            }
            catch (IOException)
            {
            }
        });

    private static async Task WaitConnectableAsync(Process process, string endpoint, CancellationToken token)
    {
        DrainInBackground(process.StandardOutput);
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        var ep = ToEndPoint(endpoint);
        while (true)
        {
            if (process.HasExited)
            {
                var stderr = await process.StandardError.ReadToEndAsync(token);
                throw new InvalidOperationException($"{process.StartInfo.FileName} exited with {process.ExitCode}: {stderr.Trim()}");
            }

            try
            {
                // Probing with a connection that sends nothing: the servers log nothing for it.
                using var socket = ep is UnixDomainSocketEndPoint
                    ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                    : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(ep, token);
                return;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(50, token);
            }
        }
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                // SIGTERM: every server here stops gracefully on it.
                _ = Libc.Kill(process.Id, Libc.SigTerm);
                using var timeout = new CancellationTokenSource(StopTimeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    private static EndPoint ToEndPoint(string endpoint) =>
        endpoint.StartsWith("unix:", StringComparison.Ordinal)
            ? new UnixDomainSocketEndPoint(endpoint["unix:".Length..])
            : IPEndPoint.Parse(endpoint["tcp://".Length..]);

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    private static async Task<(int Code, string Output)> RunToEndAsync(string exe, string[] args, TimeSpan timeout, CancellationToken token)
    {
        var process = Start(exe, args, Environment.CurrentDirectory);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
            var stderr = process.StandardError.ReadToEndAsync(limit.Token);
            await process.WaitForExitAsync(limit.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish within {timeout}");
        }
        finally
        {
            process.Dispose();
        }
    }

    private static double? Percentile(double[]? values, double p)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    [GeneratedRegex(@"bound to (\S+)")]
    private static partial Regex BoundRegex();

    [GeneratedRegex("Application started")]
    private static partial Regex StartedRegex();

    [GeneratedRegex(@"^READY ?(\d*)")]
    private static partial Regex ReadyRegex();

    [GeneratedRegex(@"Config version: (\d+\.\d+)")]
    private static partial Regex ConfigVersionRegex();
}

/// <summary>Counts newlines in the log files as they grow, reading only what is new.</summary>
internal sealed class LineCounter(string dir, string pattern)
{
    private readonly Dictionary<string, long> _offsets = [];
    private readonly byte[] _buffer = new byte[1 << 20];
    private long _count;

    public long Count()
    {
        foreach (var file in Directory.EnumerateFiles(dir, pattern))
        {
            _offsets.TryGetValue(file, out var offset);
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            stream.Position = offset;
            int n;
            while ((n = stream.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                _count += _buffer.AsSpan(0, n).Count((byte)'\n');
                offset += n;
            }

            _offsets[file] = offset;
        }

        return _count;
    }
}

/// <summary>CPU time and peak RSS of a process from /proc.</summary>
internal static class ProcStats
{
    private const double ClockTicks = 100; // sysconf(_SC_CLK_TCK) on Linux

    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of stat(5) (utime, stime) are the 12th and 13th after the command.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicks;
    }

    public static double PeakRssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return 0;
    }
}

internal static partial class Libc
{
    public const int SigTerm = 15;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
