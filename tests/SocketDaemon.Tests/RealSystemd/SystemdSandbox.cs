using System.Diagnostics;
using System.Globalization;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.RealSystemd;

/// <summary>
/// A real systemd 252 booted as PID 1 of a PID and mount namespace by tests/systemd/sandbox.sh, with the machine's /
/// read-only under a tmpfs overlay: units, socket activation, journald and the watchdog for real, while nothing
/// reaches this machine. One per test class (a boot takes seconds); the daemon comes from the build next to the tests,
/// copied with deploy/ and docs/ into a directory the sandbox sees as /share.
/// </summary>
public class SystemdSandbox : IAsyncLifetime
{
    /// <summary>Why no sandbox can boot here, or <see langword="null"/> when one can.</summary>
    public static string? Unavailable => Availability.Value;

    public SystemdSandbox()
    {
        Name = "sdtier-" + Guid.NewGuid().ToString("N")[..8];
        Share = Path.Combine("/tmp", Name);
    }

    /// <summary>The sandbox's name for sandbox.sh; its state lives in /var/tmp/socketdaemon-sandbox.NAME.</summary>
    public string Name { get; }

    /// <summary>The sandbox's systemd, as this machine sees it.</summary>
    public int Pid { get; private set; }

    /// <summary>The host directory the sandbox sees as /share.</summary>
    public string Share { get; }

    /// <summary>The daemon and socketctl as published (install.sh --from), inside the sandbox.</summary>
    public const string Published = "/share/published";

    /// <summary>The repository's deploy/ and docs/, inside the sandbox.</summary>
    public const string Repository = "/share/repo";

    public static string Script => Path.Combine(RepositoryRoot, "tests", "systemd", "sandbox.sh");

    public static string RepositoryRoot { get; } = FindRoot();

    // After RepositoryRoot: the probe runs the repository's sandbox.sh.
    private static readonly Lazy<string?> Availability = new(Probe);

    /// <summary>A path inside the sandbox as this machine reaches it (through its PID 1's root).</summary>
    public string HostPath(string path) => $"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/root{path}";

    public virtual async Task InitializeAsync()
    {
        if (Unavailable is not null)
        {
            return;
        }

        Directory.CreateDirectory(Share);
        CopyPublished(Path.Combine(Share, "published"));
        CopyDirectory(Path.Combine(RepositoryRoot, "deploy"), Path.Combine(Share, "repo", "deploy"));
        CopyDirectory(Path.Combine(RepositoryRoot, "docs"), Path.Combine(Share, "repo", "docs"));
        File.Copy(Path.Combine(RepositoryRoot, "Directory.Build.props"), Path.Combine(Share, "repo", "Directory.Build.props"));

        var start = await ChildProcess.RunAsync("bash", [Script, "start", Name, Share], timeout: TimeSpan.FromSeconds(90));
        if (start.ExitCode != 0)
        {
            throw new InvalidOperationException($"sandbox.sh start {Name}: exit {start.ExitCode}\n{start.StandardOutput}{start.StandardError}");
        }

        Pid = int.Parse(start.StandardOutput.Trim(), CultureInfo.InvariantCulture);
    }

    public virtual async Task DisposeAsync()
    {
        if (Unavailable is null)
        {
            await ChildProcess.RunAsync("bash", [Script, "stop", Name], timeout: TimeSpan.FromSeconds(60));
        }

        // SDT_KEEP_TEMP=1 keeps what the sandbox shared, as for the other tests' temp directories.
        if (Directory.Exists(Share) && Environment.GetEnvironmentVariable("SDT_KEEP_TEMP") != "1")
        {
            Directory.Delete(Share, recursive: true);
        }
    }

    /// <summary>Runs a bash script inside the sandbox as root.</summary>
    public async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(string script, TimeSpan? timeout = null) =>
        await ChildProcess.RunAsync("bash", [Script, "exec", Name, "bash", "-euo", "pipefail", "-c", script], timeout: timeout ?? TimeSpan.FromSeconds(90));

    /// <summary>Runs a bash script inside the sandbox and fails the test, with its output, unless it exits 0.</summary>
    public async Task<string> RunOkAsync(string script, TimeSpan? timeout = null)
    {
        var result = await RunAsync(script, timeout);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode} from:\n{script}\n--- stdout\n{result.StandardOutput}--- stderr\n{result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>Waits until a script exits 0 inside the sandbox (a state systemd reaches on its own time).</summary>
    public async Task UntilAsync(string script, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var result = await RunAsync(script);
            if (result.ExitCode == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}: {result.StandardOutput}{result.StandardError}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The lines of the message logs in /var/log/socketdaemon, read from outside.</summary>
    public IReadOnlyList<string> MessageLines()
    {
        var directory = HostPath("/var/log/socketdaemon");
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.GetFiles(directory, "messages*.log").Order(StringComparer.Ordinal)
            .SelectMany(file => MessageLog.ReadShared(file).Split('\n', StringSplitOptions.RemoveEmptyEntries))];
    }

    public Task WaitForMessageAsync(string text, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => MessageLines().Any(line => line.Contains(text, StringComparison.Ordinal)), $"'{text}' in the sandbox's /var/log/socketdaemon", timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>The files of a framework-dependent publish of the daemon and socketctl, from the build next to the tests.</summary>
    public static void CopyPublished(string published)
    {
        Directory.CreateDirectory(published);
        var patterns = new[] { "socketdaemon*", "socketctl*", "SocketDaemon.Client.dll", "Serilog*.dll", "Microsoft.Extensions.*.dll", "System.*.dll", "appsettings.json" };
        foreach (var file in patterns.SelectMany(pattern => Directory.GetFiles(AppContext.BaseDirectory, pattern)))
        {
            File.Copy(file, Path.Combine(published, Path.GetFileName(file)), overwrite: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        try
        {
            var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Script);
            info.ArgumentList.Add("check");
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            if (!process.WaitForExit(60_000))
            {
                process.Kill();
                return "sandbox.sh check did not finish in 60 s";
            }

            return process.ExitCode == 0 ? null : output.Trim();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return ex.Message;
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Directory.Build.props")) && Directory.Exists(Path.Combine(directory.FullName, "deploy")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root (Directory.Build.props and deploy/) above {AppContext.BaseDirectory}.");
    }
}
