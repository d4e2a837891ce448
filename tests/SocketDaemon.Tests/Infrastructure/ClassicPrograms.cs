namespace SocketDaemon.Tests.Infrastructure;

/// <summary>The classic C programs of the daemon's roots, compiled once per test run with the machine's cc.</summary>
public static class ClassicPrograms
{
    private static readonly Lazy<Task<string>> Directory = new(() => CompileFolderAsync("Classic"));

    public static async Task<string> PathOfAsync(string name) => Path.Combine(await Directory.Value, name);

    /// <summary>Compiles every <c>*.c</c> of <paramref name="folder"/> (copied next to the tests); returns where the programs are.</summary>
    public static async Task<string> CompileFolderAsync(string folder)
    {
        var output = Path.Combine(Path.GetTempPath(), $"sdt-{folder.ToLowerInvariant()}-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(output);
        foreach (var source in System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, folder), "*.c"))
        {
            var binary = Path.Combine(output, Path.GetFileNameWithoutExtension(source));
            var result = await ChildProcess.RunAsync("cc", ["-O1", "-w", "-o", binary, source]);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"cc {source} failed: {result.StandardError}");
            }
        }

        return output;
    }
}
