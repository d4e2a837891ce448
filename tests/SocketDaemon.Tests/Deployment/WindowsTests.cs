using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Deployment;

/// <summary>The daemon runs as a Windows service too; CI, on Linux, proves it builds and publishes for win-x64.</summary>
[Collection(DaemonPublishing.Name)]
public class WindowsTests
{
    [Fact]
    public async Task The_daemon_publishes_for_win_x64_as_a_windows_service_executable()
    {
        using var output = new TempDirectory();
        var project = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/SocketDaemon"));

        var publish = await ChildProcess.RunAsync(
            "dotnet", ["publish", project, "-c", "Release", "-r", "win-x64", "--self-contained", "false", "-o", output.Path, "-p:TreatWarningsAsErrors=true"],
            timeout: TimeSpan.FromMinutes(4));

        Assert.True(publish.ExitCode == 0, publish.StandardOutput + publish.StandardError);
        Assert.True(File.Exists(Path.Combine(output.Path, "socketdaemon.exe")));
        Assert.True(File.Exists(Path.Combine(output.Path, "Microsoft.Extensions.Hosting.WindowsServices.dll")));
        Assert.Contains("New-Service", await File.ReadAllTextAsync(Path.Combine(project, "../../deploy/windows/install.ps1")), StringComparison.Ordinal);
    }
}
