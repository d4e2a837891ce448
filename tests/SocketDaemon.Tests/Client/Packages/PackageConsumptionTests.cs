using System.Text.RegularExpressions;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Client.Packages;

/// <summary>
/// The packages as a developer takes them: packed into a folder feed, referenced by a fresh project that this test
/// writes, built, and run against the real daemon executable, which is stopped and started again while it logs.
/// </summary>
public sealed class PackageConsumptionTests
{
    private const int EntriesPerPhase = 200;

    [Fact]
    public async Task A_fresh_worker_logging_through_both_packages_with_a_spool_loses_nothing_across_a_daemon_restart()
    {
        using var work = new TempDirectory();
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var feed = work.Combine("feed");
        try
        {
            await PackAsync(feed, version);
            var consumer = await WriteConsumerAsync(work, feed, version);
            await RunDotnetAsync(consumer, "restore");
            await RunDotnetAsync(consumer, "build", "--no-restore", "-c", "Release", "-v", "q", "-nologo");

            using var daemonDirectory = new TempDirectory();
            var daemon = await DaemonProcess.StartAsync(daemonDirectory);
            var log = daemon.Log;
            await using var app = ChildProcess.Start(
                "dotnet",
                [Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll"), daemon.Endpoint, work.Combine("serilog-spool"), EntriesPerPhase.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                new Dictionary<string, string> { ["SOCKETDAEMON_ENDPOINT"] = daemon.Endpoint, ["DOTNET_ENVIRONMENT"] = "Production" },
                workingDirectory: consumer);
            try
            {
                // The README's first example ran, then phase 1 was logged and reached the daemon.
                await app.WaitForOutputAsync("phase 1 logged", TimeSpan.FromSeconds(60));
                await log.WaitForAsync(4 + Expected(1).Count, TimeSpan.FromSeconds(30));

                // The daemon goes away; phase 2 goes to the spools; the daemon comes back and the spools drain.
                daemon.Process.Signal(ChildProcess.SIGTERM);
                await daemon.Process.WaitForExitAsync();
                await app.StandardInput.WriteLineAsync("go");
                await app.StandardInput.FlushAsync();
                await app.WaitForOutputAsync("phase 2 logged", TimeSpan.FromSeconds(30));
                await daemon.DisposeAsync();
                daemon = await DaemonProcess.StartAsync(daemonDirectory);
                await app.StandardInput.WriteLineAsync("go");
                await app.StandardInput.FlushAsync();
                Assert.Equal(0, await app.WaitForExitAsync(TimeSpan.FromSeconds(60)));

                var lines = log.Texts();
                Assert.Contains(lines, l => l.Contains("hello from .NET", StringComparison.Ordinal));
                foreach (var expected in Expected(1).Concat(Expected(2)))
                {
                    Assert.True(lines.Any(l => l.Contains(expected, StringComparison.Ordinal)), $"missing: {expected}\nstdout:\n{app.StandardOutput}\nstderr:\n{app.StandardError}");
                }

                // Level, category, event id and the exception travel in the RFC 5424 message.
                var melError = Assert.Single(lines, l => l.Contains("mel failed in phase 2", StringComparison.Ordinal));
                Assert.Matches(@"^<11>1 \S+ \S+ Consumer \d+ OrderFailed \[meta@32473 level=""Error"" category=""Consumer.Orders"" eventId=""9""", melError);
                Assert.Contains("System.InvalidOperationException: boom 2", melError, StringComparison.Ordinal);
                var serilogError = Assert.Single(lines, l => l.Contains("serilog failed in phase 2", StringComparison.Ordinal));
                Assert.Matches(@"^<11>1 \S+ \S+ Consumer \d+ - \[meta@32473 level=""Error"" category=""Consumer.Serilog""", serilogError);
                Assert.Contains("System.InvalidOperationException: boom 2", serilogError, StringComparison.Ordinal);
                var melInfo = Assert.Single(lines, l => l.Contains("mel entry 5 of phase 1", StringComparison.Ordinal));
                Assert.Matches(@"^<14>1 .* level=""Information"" category=""Consumer.Orders"" eventId=""7"" Index=""5"" Phase=""1"" Order=""5"" scope=""order 5""\] mel entry 5 of phase 1$", melInfo);
            }
            finally
            {
                await daemon.DisposeAsync();
            }
        }
        finally
        {
            ForgetPackages(version);
        }
    }

    private static List<string> Expected(int phase) =>
    [
        .. Enumerable.Range(0, EntriesPerPhase).Select(i => $"mel entry {i} of phase {phase}"),
        .. Enumerable.Range(0, EntriesPerPhase).Select(i => $"serilog entry {i} of phase {phase}"),
        $"mel failed in phase {phase}",
        $"serilog failed in phase {phase}",
    ];

    private static async Task PackAsync(string feed, string version)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        foreach (var project in new[] { "SocketDaemon.Client", "SocketDaemon.Extensions.Logging", "Serilog.Sinks.SocketDaemon" })
        {
            await RunDotnetAsync(Repository.Root, "pack", Path.Combine("src", project, project + ".csproj"), "--no-build", "-c", configuration, "-o", feed, $"-p:PackageVersion={version}", "-v", "q", "-nologo");
        }

        Assert.Equal(3, Directory.GetFiles(feed, "*.nupkg").Length);
        Assert.Equal(3, Directory.GetFiles(feed, "*.snupkg").Length);
    }

    private static async Task<string> WriteConsumerAsync(TempDirectory work, string feed, string version)
    {
        var directory = work.Combine("Consumer");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Worker">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.12" />
                <PackageReference Include="SocketDaemon.Extensions.Logging" Version="{version}" />
                <PackageReference Include="Serilog.Sinks.SocketDaemon" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "appsettings.json"), $$"""
            { "Logging": { "LogLevel": { "Default": "Information", "Microsoft": "Warning" },
                           "SocketDaemon": { "Spool": "{{work.Combine("logging-spool")}}", "FlushTimeout": "00:00:30" } } }
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "Program.cs"), ConsumerProgram);
        await File.WriteAllTextAsync(Path.Combine(directory, "ReadmeExample.cs"), ReadmeExample());
        return directory;
    }

    /// <summary>The first example of the client package's README, as a method the consumer runs first.</summary>
    private static string ReadmeExample()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "src", "SocketDaemon.Client", "README.md"));
        var code = Regex.Match(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value.Split('\n');
        var usings = code.Where(l => l.StartsWith("using ", StringComparison.Ordinal) && l.EndsWith(';'));
        var body = code.Where(l => !(l.StartsWith("using ", StringComparison.Ordinal) && l.EndsWith(';')));
        return string.Join('\n', usings) + "\n\npublic static class ReadmeExample\n{\n    public static async Task RunAsync()\n    {\n"
            + string.Join('\n', body.Select(l => "        " + l)) + "\n    }\n}\n";
    }

    private const string ConsumerProgram = """
        using Microsoft.Extensions.Logging;
        using Serilog;
        using SocketDaemon.Extensions.Logging;

        var (endpoint, serilogSpool, count) = (args[0], args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        await ReadmeExample.RunAsync();

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSocketDaemon(o => o.Endpoint = endpoint);
        using var host = builder.Build();
        await host.StartAsync();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Consumer.Orders");
        var root = new LoggerConfiguration().Enrich.FromLogContext()
            .WriteTo.SocketDaemon(endpoint, spool: serilogSpool, flushTimeout: TimeSpan.FromSeconds(30))
            .CreateLogger();
        var serilog = root.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Consumer.Serilog");

        for (var phase = 1; phase <= 2; phase++)
        {
            for (var i = 0; i < count; i++)
            {
                using (logger.BeginScope("order {Order}", i))
                {
                    logger.LogInformation(new EventId(7, "OrderPlaced"), "mel entry {Index} of phase {Phase}", i, phase);
                }

                serilog.Information("serilog entry {Index} of phase {Phase}", i, phase);
            }

            logger.LogError(new EventId(9, "OrderFailed"), new InvalidOperationException($"boom {phase}"), "mel failed in phase {Phase}", phase);
            serilog.Error(new InvalidOperationException($"boom {phase}"), "serilog failed in phase {Phase}", phase);
            Console.WriteLine($"phase {phase} logged");
            await Console.In.ReadLineAsync();
        }

        await root.DisposeAsync();
        await host.StopAsync();
        Console.WriteLine("done");
        """;

    private static async Task RunDotnetAsync(string workingDirectory, params string[] arguments)
    {
        await using var process = ChildProcess.Start("dotnet", arguments, new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" }, workingDirectory);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {exitCode}\n{process.StandardOutput}\n{process.StandardError}");
    }

    // The packages of a test version are of no use once the test is over; keep the machine's package cache clean.
    private static void ForgetPackages(string version)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "socketdaemon.client", "socketdaemon.extensions.logging", "serilog.sinks.socketdaemon" })
        {
            var directory = Path.Combine(cache, id, version);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static class Repository
    {
        public static readonly string Root = FindRoot();

        private static string FindRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "SocketDaemon.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No repository root (SocketDaemon.sln) above {AppContext.BaseDirectory}.");
        }
    }
}
