using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>A real child process with its output captured, for the parts that only a process shows: exit codes and signals.</summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    public const int SIGTERM = 15;
    public const int SIGINT = 2;
    public const int SIGHUP = 1;
    public const int SIGSTOP = 19;
    public const int SIGCONT = 18;

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
    }

    public int Id => _process.Id;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new ChildProcess(Process.Start(info)!);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Starts the real <c>socketdaemon</c> executable (the build next to the tests) with <paramref name="arguments"/>.</summary>
    public static ChildProcess StartDaemon(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "socketdaemon.dll"), .. arguments], environment, workingDirectory);

    /// <summary>Starts the real <c>socketctl</c> executable with <paramref name="arguments"/>.</summary>
    public static ChildProcess StartSocketCtl(IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "socketctl.dll"), .. arguments], environment);

    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(string fileName, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null)
    {
        await using var process = Start(fileName, arguments);
        if (standardInput is not null)
        {
            await process._process.StandardInput.WriteAsync(standardInput);
        }

        process._process.StandardInput.Close();
        var exitCode = await process.WaitForExitAsync(timeout);
        return (exitCode, process.StandardOutput, process.StandardError);
    }

    public StreamWriter StandardInput => _process.StandardInput;

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout ?? Wait.Timeout);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => StandardOutput.Contains(text, StringComparison.Ordinal) || HasExited, $"'{text}' on the output of {_process.StartInfo.FileName}", timeout)
            .ContinueWith(t =>
            {
                if (!StandardOutput.Contains(text, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"Process printed no '{text}'. stdout:\n{StandardOutput}\nstderr:\n{StandardError}", t.Exception);
                }
            }, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
