using System.Globalization;
using System.Text.RegularExpressions;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Deployment;

/// <summary>
/// The deployment files run for real: the units through systemd-analyze, install.sh and uninstall.sh into a
/// DESTDIR, build-deb.sh through dpkg-deb. Binaries come from the build next to the tests (install.sh --from).
/// </summary>
public sealed partial class DeploymentTests
{
    private static readonly string[] UnitNames = ["socketdaemon.service", "socketdaemon.socket", "socketdaemon-tcp.socket", "socketdaemon-syslog.socket", "socketdaemon-devlog.socket"];

    private static readonly string[] ManPages = ["man8/socketdaemon.8.gz", "man1/socketctl.1.gz", "man5/socketdaemon.json.5.gz"];

    [Fact]
    public async Task The_units_pass_systemd_analyze_verify()
    {
        RequireTool("systemd-analyze", "systemd");
        using var units = new TempDirectory();
        foreach (var name in UnitNames)
        {
            // verify checks that ExecStart= and ExecReload= are executables; the daemon is not installed on this machine.
            var text = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "systemd", name))
                .Replace("=/usr/lib/socketdaemon/socketdaemon", "=/bin/true", StringComparison.Ordinal);
            File.WriteAllText(units.Combine(name), text);
        }

        // The socket units' Service=socketdaemon.service is found on the unit path; the trailing ':' keeps the
        // built-in directories for the targets they name.
        var result = await RunAsync(
            "systemd-analyze",
            ["verify", .. UnitNames.Select(units.Combine)],
            new Dictionary<string, string> { ["SYSTEMD_UNIT_PATH"] = units.Path + ":" });

        Assert.True(result.ExitCode == 0 && result.StandardError.Length == 0, $"systemd-analyze verify: exit {result.ExitCode}\n{result.StandardOutput}{result.StandardError}");
    }

    [Fact]
    public async Task The_service_unit_is_rated_OK_by_systemd_analyze_security()
    {
        RequireTool("systemd-analyze", "systemd");
        var result = await RunAsync("systemd-analyze", ["security", "--offline=true", Path.Combine(Repository.Root, "deploy", "systemd", "socketdaemon.service")]);

        var match = ExposureLevel().Match(result.StandardOutput + result.StandardError);
        Assert.True(match.Success, $"no exposure level in:\n{result.StandardOutput}{result.StandardError}");
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        // docs/operations.md gives the score; 2.0 or less is what systemd calls OK.
        Assert.InRange(exposure, 0.0, 2.0);
        Assert.Contains($"{match.Groups[1].Value} OK", File.ReadAllText(Path.Combine(Repository.Root, "docs", "operations.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_unit_keeps_the_settings_the_daemon_relies_on()
    {
        var unit = File.ReadAllLines(Path.Combine(Repository.Root, "deploy", "systemd", "socketdaemon.service"));

        foreach (var setting in new[]
                 {
                     "Type=notify", "ExecStart=/usr/lib/socketdaemon/socketdaemon", "ExecReload=/usr/lib/socketdaemon/socketdaemon --check", "ExecReload=/bin/kill -HUP $MAINPID",
                     "Restart=on-failure", "RestartPreventExitStatus=78", "WatchdogSec=30s", "User=socketdaemon",
                     "RuntimeDirectory=socketdaemon", "RuntimeDirectoryPreserve=yes", "ConfigurationDirectory=socketdaemon",
                 })
        {
            Assert.Contains(setting, unit);
        }

        // The daemon runs without the socket units too, and the JIT needs writable executable memory.
        Assert.DoesNotContain(unit, line => line.StartsWith("Requires=", StringComparison.Ordinal));
        Assert.DoesNotContain(unit, line => line.StartsWith("MemoryDenyWriteExecute=yes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Install_with_a_destdir_lays_out_the_expected_tree_and_runs_twice()
    {
        using var temp = new TempDirectory();
        var published = Published(temp);
        var destdir = temp.Combine("root");

        var first = await RunScriptAsync("deploy/install.sh", "--prefix", "/usr", "--destdir", destdir, "--from", published, "--no-start");
        Assert.True(first.ExitCode == 0, first.StandardOutput + first.StandardError);
        AssertInstalledTree(destdir, "/usr", "/lib/systemd/system");
        Assert.Contains("staged in", first.StandardOutput, StringComparison.Ordinal);

        // An operator's configuration survives a second run, which replaces everything else.
        var config = Path.Combine(destdir, "etc/socketdaemon/appsettings.json");
        File.WriteAllText(config, """{ "SocketDaemon": { "Limits": { "MaxMessageBytes": 1024 } } }""");
        File.WriteAllText(Path.Combine(destdir, "usr/lib/socketdaemon/left-over.dll"), "from an older version");

        var second = await RunScriptAsync("deploy/install.sh", "--prefix", "/usr", "--destdir", destdir, "--from", published, "--no-start");
        Assert.True(second.ExitCode == 0, second.StandardOutput + second.StandardError);
        AssertInstalledTree(destdir, "/usr", "/lib/systemd/system");
        Assert.Contains("1024", File.ReadAllText(config), StringComparison.Ordinal);
        Assert.Contains("keeping the existing", second.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(destdir, "usr/lib/socketdaemon/left-over.dll")));

        // The installed daemon is the executable the unit runs, and it runs from there.
        var version = await RunAsync(Path.Combine(destdir, "usr/lib/socketdaemon/socketdaemon"), ["--version"]);
        Assert.True(version.ExitCode == 0, version.StandardError);
        Assert.StartsWith(Repository.Version, version.StandardOutput.Trim(), StringComparison.Ordinal);
        var socketctl = await RunAsync(Path.Combine(destdir, "usr/bin/socketctl"), ["--help"]);
        Assert.True(socketctl.ExitCode == 0, socketctl.StandardError);
        Assert.Contains("socketctl", socketctl.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_installed_daemon_starts_on_the_shipped_configuration_and_stops_on_SIGTERM()
    {
        using var temp = new TempDirectory();
        var destdir = temp.Combine("root");
        var install = await RunScriptAsync("deploy/install.sh", "--destdir", destdir, "--from", Published(temp), "--no-start");
        Assert.True(install.ExitCode == 0, install.StandardOutput + install.StandardError);

        // As systemd runs it: the executable the unit names, the /etc configuration through CONFIGURATION_DIRECTORY.
        // The listener is a socket of the test's own (the shipped file names none, so the daemon would bind its defaults).
        await using var daemon = ChildProcess.Start(
            Path.Combine(destdir, "usr/lib/socketdaemon/socketdaemon"),
            ["--listen", "unix:" + temp.Combine("d.sock")],
            new Dictionary<string, string>
            {
                ["CONFIGURATION_DIRECTORY"] = Path.Combine(destdir, "etc/socketdaemon"),
                ["RUNTIME_DIRECTORY"] = temp.Path,
                ["LOGS_DIRECTORY"] = temp.Combine("logs"),
            });
        await daemon.WaitForOutputAsync("Application started");
        Assert.True(File.Exists(temp.Combine("d.sock")));

        daemon.Signal(ChildProcess.SIGTERM);

        Assert.Equal(0, await daemon.WaitForExitAsync());
        Assert.NotEmpty(Directory.GetFiles(temp.Combine("logs"), "socketdaemon*.log"));
    }

    [Fact]
    public async Task Install_with_another_prefix_points_the_units_at_it()
    {
        using var temp = new TempDirectory();
        var destdir = temp.Combine("root");

        var result = await RunScriptAsync("deploy/install.sh", "--prefix", "/usr/local", "--destdir", destdir, "--from", Published(temp), "--no-start");

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        AssertInstalledTree(destdir, "/usr/local", "/usr/local/lib/systemd/system");
        Assert.Contains(
            "ExecStart=/usr/local/lib/socketdaemon/socketdaemon",
            File.ReadAllLines(Path.Combine(destdir, "usr/local/lib/systemd/system/socketdaemon.service")));
    }

    [Fact]
    public async Task Uninstall_keeps_the_configuration_unless_purged()
    {
        using var temp = new TempDirectory();
        var destdir = temp.Combine("root");
        var install = await RunScriptAsync("deploy/install.sh", "--destdir", destdir, "--from", Published(temp), "--no-start");
        Assert.True(install.ExitCode == 0, install.StandardOutput + install.StandardError);

        var uninstall = await RunScriptAsync("deploy/uninstall.sh", "--destdir", destdir);

        Assert.True(uninstall.ExitCode == 0, uninstall.StandardOutput + uninstall.StandardError);
        Assert.False(Directory.Exists(Path.Combine(destdir, "usr/lib/socketdaemon")));
        Assert.False(File.Exists(Path.Combine(destdir, "usr/bin/socketctl")));
        Assert.All(UnitNames, name => Assert.False(File.Exists(Path.Combine(destdir, "lib/systemd/system", name))));
        Assert.True(File.Exists(Path.Combine(destdir, "etc/socketdaemon/appsettings.json")));

        var purge = await RunScriptAsync("deploy/uninstall.sh", "--destdir", destdir, "--purge");

        Assert.True(purge.ExitCode == 0, purge.StandardOutput + purge.StandardError);
        Assert.False(Directory.Exists(Path.Combine(destdir, "etc/socketdaemon")));
    }

    [Fact]
    public async Task Build_deb_makes_a_package_with_the_expected_files_and_control()
    {
        RequireTool("dpkg-deb", "dpkg");
        RequireTool("scdoc", "scdoc");
        using var temp = new TempDirectory();
        var output = temp.Combine("out");

        var build = await RunScriptAsync("deploy/debian/build-deb.sh", "--from", Published(temp), "--output", output, "--arch", "amd64");

        Assert.True(build.ExitCode == 0, build.StandardOutput + build.StandardError);
        var deb = Path.Combine(output, $"socketdaemon_{Repository.Version}_amd64.deb");
        Assert.True(File.Exists(deb), $"no {deb}: {string.Join(", ", Directory.GetFiles(output))}");

        var contents = await RunAsync("dpkg-deb", ["--contents", deb]);
        Assert.True(contents.ExitCode == 0, contents.StandardError);
        foreach (var path in new[]
                 {
                     "./usr/lib/socketdaemon/socketdaemon", "./usr/lib/socketdaemon/socketdaemon.dll",
                     "./usr/lib/socketdaemon/socketdaemon.runtimeconfig.json", "./usr/bin/socketctl",
                     "./lib/systemd/system/socketdaemon.service", "./lib/systemd/system/socketdaemon.socket",
                     "./lib/systemd/system/socketdaemon-tcp.socket", "./etc/socketdaemon/appsettings.json",
                     "./lib/systemd/system/socketdaemon-syslog.socket", "./lib/systemd/system/socketdaemon-devlog.socket",
                     "./usr/share/doc/socketdaemon/copyright", "./usr/share/doc/socketdaemon/operations.md",
                     "./usr/share/doc/socketdaemon/configuration.md", "./usr/share/doc/socketdaemon/system-syslog.md",
                     "./usr/share/doc/socketdaemon/examples/appsettings.syslog.json",
                     "./usr/share/man/man8/socketdaemon.8.gz", "./usr/share/man/man1/socketctl.1.gz", "./usr/share/man/man5/socketdaemon.json.5.gz",
                 })
        {
            Assert.Contains(path, contents.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Matches(@"-rwxr-xr-x root/root +\d+ \S+ \S+ \./usr/lib/socketdaemon/socketdaemon\n", contents.StandardOutput);

        var control = await RunAsync("dpkg-deb", ["--field", deb]);
        Assert.True(control.ExitCode == 0, control.StandardError);
        Assert.Contains("Package: socketdaemon\n", control.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"Version: {Repository.Version}\n", control.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Architecture: amd64\n", control.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("dotnet-runtime-10.0", control.StandardOutput, StringComparison.Ordinal);

        var conffiles = await RunAsync("dpkg-deb", ["--info", deb, "conffiles"]);
        Assert.Equal("/etc/socketdaemon/appsettings.json", conffiles.StandardOutput.Trim());
        var scripts = await RunAsync("dpkg-deb", ["--info", deb]);
        Assert.All(["postinst", "prerm", "postrm"], script => Assert.Contains(script, scripts.StandardOutput, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_package_of_the_Native_AOT_daemon_holds_the_one_executable_and_needs_no_dotnet_runtime()
    {
        RequireTool("dpkg-deb", "dpkg");
        RequireTool("scdoc", "scdoc");
        using var temp = new TempDirectory();
        // Shaped like `dotnet publish -p:PublishAot=true` output: the executable, its debug symbols, the settings; and
        // the Native AOT socketctl (no socketctl.dll).
        var published = temp.Combine("published");
        Directory.CreateDirectory(published);
        foreach (var name in new[] { "socketdaemon", "socketdaemon.dbg", "socketctl" })
        {
            File.Copy("/bin/true", Path.Combine(published, name));
        }

        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(published, "appsettings.json"));

        var build = await RunScriptAsync("deploy/debian/build-deb.sh", "--from", published, "--output", temp.Combine("out"), "--arch", "amd64");

        Assert.True(build.ExitCode == 0, build.StandardOutput + build.StandardError);
        var deb = Path.Combine(temp.Combine("out"), $"socketdaemon_{Repository.Version}_amd64.deb");
        var contents = (await RunAsync("dpkg-deb", ["--contents", deb])).StandardOutput;
        Assert.Matches(@"-rwxr-xr-x root/root +\d+ \S+ \S+ \./usr/lib/socketdaemon/socketdaemon\n", contents);
        Assert.Contains("./usr/bin/socketctl", contents, StringComparison.Ordinal);
        Assert.DoesNotContain(".dbg", contents, StringComparison.Ordinal);
        var depends = (await RunAsync("dpkg-deb", ["--field", deb, "Depends"])).StandardOutput.Trim();
        Assert.Equal("libc6, libssl3 | libssl3t64, adduser", depends);
    }

    [Fact]
    public async Task The_package_installs_upgrades_removes_and_purges_in_an_isolated_root()
    {
        RequireTool("dpkg-deb", "dpkg");
        RequireTool("scdoc", "scdoc");
        RequireTool("unshare", "util-linux");
        Assert.True(Environment.UserName == "root", "this test runs dpkg in a private mount namespace, which needs root (CI runs as root)");
        using var temp = new TempDirectory();
        var build = await RunScriptAsync("deploy/debian/build-deb.sh", "--from", Published(temp), "--output", temp.Combine("out"));
        Assert.True(build.ExitCode == 0, build.StandardOutput + build.StandardError);
        var deb = Directory.GetFiles(temp.Combine("out"), "*.deb").Single();

        // /usr, /etc and /var become overlays in a mount namespace of the script's own: dpkg, the maintainer scripts,
        // adduser and deluser change only the overlays' upper directories, never this machine. The overlays are thrown
        // away, so dpkg's fsyncs would only cost time (--force-unsafe-io).
        var script = temp.Combine("lifecycle.sh");
        File.WriteAllText(script, $$"""
            set -eu
            for d in usr etc var; do
              mkdir -p {{temp.Path}}/$d.upper {{temp.Path}}/$d.work
              mount -t overlay overlay -o lowerdir=/$d,upperdir={{temp.Path}}/$d.upper,workdir={{temp.Path}}/$d.work /$d
            done
            dpkg -i --force-depends --force-unsafe-io {{deb}} >/dev/null 2>&1
            echo "installed: $(getent passwd socketdaemon | cut -d: -f1,6,7) $(readlink /usr/bin/socketctl)"
            test -x /usr/lib/socketdaemon/socketdaemon && test -f /lib/systemd/system/socketdaemon.socket && echo "files: ok"
            echo '{ "SocketDaemon": { } } // mine' > /etc/socketdaemon/appsettings.json
            dpkg -i --force-depends --force-unsafe-io {{deb}} >/dev/null 2>&1
            echo "upgraded: $(cat /etc/socketdaemon/appsettings.json)"
            dpkg -r --force-unsafe-io socketdaemon >/dev/null 2>&1
            echo "removed: $(ls /usr/lib/socketdaemon 2>/dev/null | wc -l) $(cat /etc/socketdaemon/appsettings.json) $(getent passwd socketdaemon | cut -d: -f1)"
            dpkg -P --force-unsafe-io socketdaemon >/dev/null 2>&1
            echo "purged: $(test -e /etc/socketdaemon && echo config-left || echo no-config) $(getent passwd socketdaemon >/dev/null && echo user-left || echo no-user)"
            """);

        var result = await RunAsync("unshare", ["--mount", "bash", script]);

        var output = result.StandardOutput;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{output}{result.StandardError}");
        Assert.Contains("installed: socketdaemon:/var/lib/socketdaemon:/usr/sbin/nologin ../lib/socketdaemon/socketctl", output, StringComparison.Ordinal);
        Assert.Contains("files: ok", output, StringComparison.Ordinal);
        Assert.Contains("upgraded: { \"SocketDaemon\": { } } // mine", output, StringComparison.Ordinal);
        Assert.Contains("removed: 0 { \"SocketDaemon\": { } } // mine socketdaemon", output, StringComparison.Ordinal);
        Assert.Contains("purged: no-config no-user", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_installed_man_pages_render_with_man_without_a_warning()
    {
        RequireTool("scdoc", "scdoc");
        RequireTool("man", "man-db");
        using var temp = new TempDirectory();
        var destdir = temp.Combine("root");
        var install = await RunScriptAsync("deploy/install.sh", "--destdir", destdir, "--from", Published(temp), "--no-start");
        Assert.True(install.ExitCode == 0, install.StandardOutput + install.StandardError);

        foreach (var (page, name) in ManPages.Zip(["socketdaemon - message-ingestion daemon", "socketctl - send to, query and stop a SocketDaemon", "socketdaemon.json - configuration of socketdaemon(8)"]))
        {
            var file = Path.Combine(destdir, "usr/share/man", page);
            Assert.True(File.Exists(file), $"no {file}");
            // man -l formats the page as an operator sees it; groff's -ww prints every warning about the source.
            var rendered = await RunAsync("man", ["-l", file], new Dictionary<string, string> { ["MANWIDTH"] = "100", ["MANPAGER"] = "cat" });
            Assert.True(rendered.ExitCode == 0, rendered.StandardError);
            // Bold and underline come as overstrikes (X\bX, _\bX) when man writes to a pipe.
            var text = Regex.Replace(rendered.StandardOutput, ".\b", "");
            Assert.Contains(name, text, StringComparison.Ordinal);
            Assert.Contains("SEE ALSO", text, StringComparison.Ordinal);
            var warnings = await RunAsync("bash", ["-c", $"zcat '{file}' | groff -man -Tutf8 -ww -z"]);
            Assert.True(warnings.ExitCode == 0 && warnings.StandardError.Length == 0, $"{page}: {warnings.StandardError}");
        }

        Assert.Contains("License:", File.ReadAllText(Path.Combine(destdir, "usr/share/doc/socketdaemon/copyright")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scripts_are_valid_shell()
    {
        foreach (var script in new[] { "deploy/install.sh", "deploy/uninstall.sh", "deploy/debian/build-deb.sh" })
        {
            var result = await RunAsync("bash", ["-n", Path.Combine(Repository.Root, script)]);
            Assert.True(result.ExitCode == 0, $"{script}: {result.StandardError}");
        }

        foreach (var script in new[] { "postinst", "prerm", "postrm" })
        {
            var result = await RunAsync("sh", ["-n", Path.Combine(Repository.Root, "deploy/debian", script)]);
            Assert.True(result.ExitCode == 0, $"{script}: {result.StandardError}");
        }
    }

    private static void AssertInstalledTree(string destdir, string prefix, string unitdir)
    {
        string At(string path) => Path.Combine(destdir, path.TrimStart('/'));

        var daemon = At($"{prefix}/lib/socketdaemon/socketdaemon");
        Assert.True(File.Exists(daemon), $"no {daemon}");
        Assert.True(File.GetUnixFileMode(daemon).HasFlag(UnixFileMode.UserExecute | UnixFileMode.OtherExecute), $"{daemon} is not executable");
        foreach (var file in new[] { "socketdaemon.dll", "socketdaemon.runtimeconfig.json", "socketdaemon.deps.json", "appsettings.json" })
        {
            Assert.True(File.Exists(At($"{prefix}/lib/socketdaemon/{file}")), $"no {file} in {prefix}/lib/socketdaemon");
        }

        Assert.True(File.Exists(At($"{prefix}/bin/socketctl")), $"no {prefix}/bin/socketctl");
        Assert.All(UnitNames, name => Assert.True(File.Exists(At($"{unitdir}/{name}")), $"no {unitdir}/{name}"));
        Assert.True(File.Exists(At($"{prefix}/share/doc/socketdaemon/copyright")), $"no {prefix}/share/doc/socketdaemon/copyright");
        Assert.True(File.Exists(At("/etc/socketdaemon/appsettings.json")), "no /etc/socketdaemon/appsettings.json");
    }

    /// <summary>A directory shaped like the daemon's publish output (with the framework-dependent socketctl), from the build next to the tests.</summary>
    private static string Published(TempDirectory temp)
    {
        var published = temp.Combine("published");
        Directory.CreateDirectory(published);
        // Every assembly the daemon may load: its own, Serilog, and the Microsoft.Extensions and System packages it references.
        var patterns = new[] { "socketdaemon*", "socketctl*", "SocketDaemon.Client.dll", "Serilog*.dll", "Microsoft.Extensions.*.dll", "System.*.dll", "appsettings.json" };
        foreach (var file in patterns.SelectMany(pattern => Directory.GetFiles(AppContext.BaseDirectory, pattern)))
        {
            File.Copy(file, Path.Combine(published, Path.GetFileName(file)));
        }

        return published;
    }

    private static Task<(int ExitCode, string StandardOutput, string StandardError)> RunScriptAsync(string script, params string[] arguments) =>
        RunAsync("bash", [Path.Combine(Repository.Root, script), .. arguments]);

    private static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        await using var process = ChildProcess.Start(file, arguments, environment);
        process.StandardInput.Close();
        // A bound for a wedged tool, not a measure: dpkg and the packaging scripts take minutes on a busy CI machine.
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromMinutes(3));
        return (exitCode, process.StandardOutput, process.StandardError);
    }

    /// <summary>Fails, never skips, when a tool the deployment needs is missing; .ci/run installs them.</summary>
    private static void RequireTool(string tool, string package)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
        Assert.True(found, $"{tool} is not installed: apt-get install {package} (.ci/run installs it when missing)");
    }

    [GeneratedRegex(@"Overall exposure level for socketdaemon\.service: (\d+\.\d+)")]
    private static partial Regex ExposureLevel();

    /// <summary>The working tree the tests were built from.</summary>
    private static class Repository
    {
        public static readonly string Root = FindRoot();

        public static readonly string Version = Regex.Match(File.ReadAllText(Path.Combine(Root, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;

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
}
