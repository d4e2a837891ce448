namespace SocketDaemon.Tests.RealSystemd;

/// <summary>
/// SocketDaemon as the machine's syslog under a real systemd, with the shipped units and configuration
/// (deploy/systemd/socketdaemon-syslog.socket, socketdaemon-devlog.socket, deploy/syslog/): what <c>logger</c> sends
/// to /dev/log arrives in the daemon's syslog.log, through journald's forwarding or straight from /dev/log.
/// </summary>
[Collection(RealSystemdTier.Name)]
public sealed class SystemSyslogTests(InstalledSystemdSandbox sandbox) : IClassFixture<InstalledSystemdSandbox>
{
    // The shipped configuration as it is: a Parse step, then the syslog listener's messages as JSON and as text lines.
    private const string Configure = """
        systemctl stop socketdaemon.service
        install -m 0644 /share/repo/deploy/syslog/appsettings.json /etc/socketdaemon/appsettings.json
        """;

    private const string Restore = """
        systemctl stop socketdaemon.service socketdaemon-syslog.socket socketdaemon-devlog.socket || true
        systemctl disable socketdaemon-syslog.socket socketdaemon-devlog.socket || true
        rm -f /etc/systemd/journald.conf.d/socketdaemon-syslog.conf
        systemctl unmask systemd-journald-dev-log.socket
        systemctl restart systemd-journald-dev-log.socket systemd-journald.service
        install -m 0644 /share/repo/deploy/appsettings.json /etc/socketdaemon/appsettings.json
        """;

    [RealSystemdFact]
    public async Task Logger_to_dev_log_arrives_through_journald_forwarding_to_the_syslog_socket()
    {
        try
        {
            await sandbox.RunOkAsync(Configure + "\n" + """
                mkdir -p /etc/systemd/journald.conf.d
                install -m 0644 /share/repo/deploy/syslog/journald-forward-to-syslog.conf /etc/systemd/journald.conf.d/socketdaemon-syslog.conf
                systemctl enable --now socketdaemon-syslog.socket
                systemctl restart systemd-journald.service
                systemctl start socketdaemon.service
                """);
            var tag = "hello-" + Guid.NewGuid().ToString("N")[..6];

            await sandbox.RunOkAsync($"logger -p auth.warning -t sshd-test {tag}");

            var line = await WaitForSyslogLineAsync(tag);
            Assert.Contains(" syslog [", line, StringComparison.Ordinal);
            // journald forwards with the sender's credentials (SCM_CREDENTIALS), or with its own once the sender has
            // exited (as logger may have by then).
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(line, @" syslog \[pid=\d+ uid=0 gid=0( comm=(logger|systemd-journal))?\] #\d+: <36>\w{3} [ \d]\d \d\d:\d\d:\d\d sshd-test: " + tag + "$"), line);
            await AssertParsedAsync(tag);
            // journald keeps its own copy: forwarding adds SocketDaemon, it does not take the journal's place.
            await sandbox.RunOkAsync($"journalctl -t sshd-test -o cat --no-pager | grep -qx {tag}");
        }
        finally
        {
            await sandbox.RunAsync(Restore);
        }
    }

    [RealSystemdFact]
    public async Task Logger_to_dev_log_arrives_straight_from_the_devlog_socket_in_place_of_journald()
    {
        try
        {
            await sandbox.RunOkAsync(Configure + "\n" + """
                systemctl stop systemd-journald-dev-log.socket
                systemctl mask systemd-journald-dev-log.socket
                systemctl enable --now socketdaemon-devlog.socket
                systemctl start socketdaemon.service
                test "$(readlink /dev/log)" = /run/socketdaemon/dev-log
                """);
            var tag = "hello-" + Guid.NewGuid().ToString("N")[..6];

            await sandbox.RunOkAsync($"logger -p auth.warning -t sshd-test {tag}");

            var line = await WaitForSyslogLineAsync(tag);
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(line, @" syslog \[pid=\d+ uid=0 gid=0( comm=logger)?\] #\d+: <36>\w{3} [ \d]\d \d\d:\d\d:\d\d sshd-test: " + tag + "$"), line);
            await AssertParsedAsync(tag);
        }
        finally
        {
            await sandbox.RunAsync(Restore);
        }
    }

    // The Parse step read `<36>Mmm dd hh:mm:ss sshd-test: TEXT` into its fields: auth (4) and warning (4).
    private async Task AssertParsedAsync(string tag)
    {
        var json = await WaitForSyslogLineAsync(tag, "syslog*.json");
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("syslog", root.GetProperty("listener").GetString());
        Assert.Equal("auth", root.GetProperty("facility").GetString());
        Assert.Equal("warning", root.GetProperty("severity").GetString());
        Assert.Equal("sshd-test", root.GetProperty("appname").GetString());
        Assert.Equal(tag, root.GetProperty("message").GetString());
    }

    private async Task<string> WaitForSyslogLineAsync(string text, string files = "syslog*.log")
    {
        string? found = null;
        await Infrastructure.Wait.UntilAsync(
            () =>
            {
                var directory = sandbox.HostPath("/var/log/socketdaemon");
                found = Directory.Exists(directory)
                    ? Directory.GetFiles(directory, files)
                        .SelectMany(file => Infrastructure.MessageLog.ReadShared(file).Split('\n'))
                        .FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal))
                    : null;
                return found is not null;
            },
            $"'{text}' in the sandbox's /var/log/socketdaemon/{files}",
            TimeSpan.FromSeconds(60));
        return found!;
    }
}
