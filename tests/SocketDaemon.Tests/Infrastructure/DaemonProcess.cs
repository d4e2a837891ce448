namespace SocketDaemon.Tests.Infrastructure;

/// <summary>The real socketdaemon executable as a child process, for what only a process shows: signals, exit codes, kill -9.</summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private DaemonProcess(ChildProcess process, TempDirectory directory)
    {
        Process = process;
        Directory = directory;
        Log = new MessageLog(directory.Combine("logs"));
    }

    public ChildProcess Process { get; }

    public TempDirectory Directory { get; }

    /// <summary>The Unix socket the daemon listens on.</summary>
    public string SocketPath => Directory.Combine("d.sock");

    public string Endpoint => "unix:" + SocketPath;

    public MessageLog Log { get; }

    /// <summary>Starts the daemon on a Unix socket in <paramref name="directory"/>, plus <paramref name="arguments"/>, and waits until it runs.</summary>
    public static Task<DaemonProcess> StartAsync(TempDirectory directory, params string[] arguments) => StartAsync(directory, null, arguments);

    /// <summary>Starts the daemon as <see cref="StartAsync(TempDirectory, string[])"/> does, with <paramref name="environment"/> set.</summary>
    public static async Task<DaemonProcess> StartAsync(TempDirectory directory, IDictionary<string, string>? environment, params string[] arguments)
    {
        var process = ChildProcess.StartDaemon(["--listen", "unix:" + directory.Combine("d.sock"), "--log-dir", directory.Combine("logs"), .. arguments], environment);
        await process.WaitForOutputAsync("Application started");
        return new DaemonProcess(process, directory);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
