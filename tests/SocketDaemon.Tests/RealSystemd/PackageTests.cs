using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.RealSystemd;

/// <summary>
/// install.sh and the .deb under a real systemd, as an operator runs them: what they enable starts on the first
/// connection, an upgrade restarts the running daemon on the new files and keeps the configuration, removal stops
/// everything, and a purge leaves nothing behind.
/// </summary>
[Collection(RealSystemdTier.Name)]
public sealed class PackageTests(SystemdSandbox sandbox) : IClassFixture<SystemdSandbox>
{
    private const string Socket = InstalledSystemdSandbox.Socket;

    [RealSystemdFact]
    public async Task Install_sh_from_a_published_daemon_enables_the_socket_and_uninstall_sh_purges_it()
    {
        var install = await sandbox.RunOkAsync($"{SystemdSandbox.Repository}/deploy/install.sh --from {SystemdSandbox.Published}");
        Assert.Contains("systemctl enable --now socketdaemon.socket", install, StringComparison.Ordinal);

        await sandbox.RunOkAsync($"logger --socket-errors=on -T -u {Socket} installed-by-install-sh");
        await sandbox.WaitForMessageAsync("installed-by-install-sh");
        var state = await sandbox.RunOkAsync("""
            systemctl is-enabled socketdaemon.socket
            systemctl is-active socketdaemon.service
            systemctl is-enabled socketdaemon-syslog.socket || true
            man -w socketdaemon socketctl socketdaemon.json
            """);
        Assert.Equal(
            ["enabled", "active", "disabled", "/usr/share/man/man8/socketdaemon.8.gz", "/usr/share/man/man1/socketctl.1.gz", "/usr/share/man/man5/socketdaemon.json.5.gz"],
            state.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await sandbox.RunOkAsync($"{SystemdSandbox.Repository}/deploy/uninstall.sh");
        var kept = await sandbox.RunOkAsync("""
            systemctl is-active socketdaemon.service socketdaemon.socket || true
            test ! -e /usr/lib/socketdaemon && test ! -e /lib/systemd/system/socketdaemon.service && echo files-gone
            test -f /etc/socketdaemon/appsettings.json && id -u socketdaemon >/dev/null && echo config-and-user-kept
            """);
        Assert.Equal(["inactive", "inactive", "files-gone", "config-and-user-kept"], kept.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await sandbox.RunOkAsync($"{SystemdSandbox.Repository}/deploy/uninstall.sh --purge");
        var purged = await sandbox.RunOkAsync("test ! -e /etc/socketdaemon && test ! -e /var/log/socketdaemon && ! id -u socketdaemon 2>/dev/null && echo purged");
        Assert.Equal("purged", purged.Trim());
    }

    [RealSystemdFact]
    public async Task The_deb_installs_upgrades_removes_and_purges_under_systemd()
    {
        RequireTool("dpkg-deb");
        RequireTool("scdoc");
        var output = Path.Combine(sandbox.Share, "debs");
        foreach (var version in new[] { "0.1.0~sdtier1", "0.1.0~sdtier2" })
        {
            var build = await ChildProcess.RunAsync(
                "bash",
                [Path.Combine(SystemdSandbox.RepositoryRoot, "deploy/debian/build-deb.sh"), "--from", Path.Combine(sandbox.Share, "published"), "--output", output, "--version", version],
                timeout: TimeSpan.FromMinutes(2));
            Assert.True(build.ExitCode == 0, build.StandardOutput + build.StandardError);
        }

        // --force-depends: the .NET runtime here is not a dpkg package (aspnetcore-runtime-10.0).
        await sandbox.RunOkAsync("dpkg -i --force-depends /share/debs/socketdaemon_0.1.0~sdtier1_*.deb");
        await sandbox.RunOkAsync($"logger --socket-errors=on -T -u {Socket} installed-by-the-deb");
        await sandbox.WaitForMessageAsync("installed-by-the-deb");
        var first = (await sandbox.RunOkAsync("systemctl show -p MainPID --value socketdaemon.service")).Trim();
        await sandbox.RunOkAsync("echo '{ \"SocketDaemon\": { } } // mine' > /etc/socketdaemon/appsettings.json");

        // The upgrade's postinst restarts the running daemon; the operator's configuration (a conffile) stays.
        await sandbox.RunOkAsync("dpkg -i --force-depends --force-confold /share/debs/socketdaemon_0.1.0~sdtier2_*.deb");
        var upgraded = await sandbox.RunOkAsync("""
            dpkg-query -W -f '${Version}\n' socketdaemon
            systemctl is-active socketdaemon.service
            systemctl show -p MainPID --value socketdaemon.service
            cat /etc/socketdaemon/appsettings.json
            """);
        var lines = upgraded.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0.1.0~sdtier2", lines[0]);
        Assert.Equal("active", lines[1]);
        Assert.NotEqual(first, lines[2]);
        Assert.Equal("{ \"SocketDaemon\": { } } // mine", lines[3]);
        await sandbox.RunOkAsync($"logger --socket-errors=on -T -u {Socket} after-the-upgrade");
        await sandbox.WaitForMessageAsync("after-the-upgrade");

        await sandbox.RunOkAsync("dpkg -r socketdaemon");
        var removed = await sandbox.RunOkAsync("""
            systemctl is-active socketdaemon.service socketdaemon.socket || true
            test ! -e /usr/lib/socketdaemon && test ! -e /run/socketdaemon/socketdaemon.sock && echo files-gone
            test -f /etc/socketdaemon/appsettings.json && id -u socketdaemon >/dev/null && echo config-and-user-kept
            """);
        Assert.Equal(["inactive", "inactive", "files-gone", "config-and-user-kept"], removed.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await sandbox.RunOkAsync("dpkg -P socketdaemon");
        var purged = await sandbox.RunOkAsync("test ! -e /etc/socketdaemon && test ! -e /var/log/socketdaemon && ! getent passwd socketdaemon && ! getent group socketdaemon && echo purged");
        Assert.Equal("purged", purged.Trim());
    }

    private static void RequireTool(string tool)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
        Assert.True(found, $"{tool} is not installed (.ci/run installs it)");
    }
}
