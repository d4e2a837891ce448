using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Deployment;

/// <summary>
/// The daemon published Native AOT once for the tests of a class, as deploy/install.sh publishes it: minutes of ILC,
/// so it is done once and bounded; warnings are errors, so a publish that warns fails the tests.
/// </summary>
public sealed class NativeAotDaemon : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _output = new();

    /// <summary>The published executable.</summary>
    public string Executable => _output.Combine("socketdaemon");

    /// <summary>What <c>dotnet publish</c> printed and its exit code.</summary>
    public (int ExitCode, string Output) Publish { get; private set; }

    public async Task InitializeAsync()
    {
        var project = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/SocketDaemon"));
        // 2:52 wall (140 s CPU) on the 2 shared cores of the development machine; the bound leaves room for a loaded CI.
        var publish = await ChildProcess.RunAsync(
            "dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-p:TreatWarningsAsErrors=true", "-o", _output.Path],
            timeout: TimeSpan.FromMinutes(8));
        Publish = (publish.ExitCode, publish.StandardOutput + publish.StandardError);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _output.Dispose();
}
