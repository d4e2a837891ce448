using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace SocketDaemon.Tests.RealSystemd;

/// <summary>
/// The installed service under a real systemd: socket activation, restarts and a crash with a client connected, a
/// reload with a broken configuration, the journal, and the process names of clients running as other users.
/// </summary>
[Collection(RealSystemdTier.Name)]
public sealed partial class ServiceTests(InstalledSystemdSandbox sandbox) : IClassFixture<InstalledSystemdSandbox>
{
    [RealSystemdFact]
    public async Task The_first_connection_to_the_socket_unit_starts_the_daemon_which_logs_it()
    {
        await sandbox.RunOkAsync("systemctl stop socketdaemon.service; ! systemctl is-active socketdaemon.service");

        // logger connects to the socket systemd holds; systemd starts the service and passes the socket.
        await sandbox.RunOkAsync($"logger --socket-errors=on -T -u {InstalledSystemdSandbox.Socket} activated-by-the-first-connection");

        await sandbox.WaitForMessageAsync("activated-by-the-first-connection");
        var show = await sandbox.RunOkAsync("systemctl show -p ActiveState -p TriggeredBy --value socketdaemon.service");
        Assert.Contains("active", show, StringComparison.Ordinal);
        Assert.Contains("socketdaemon.socket", show, StringComparison.Ordinal);
    }

    [RealSystemdFact]
    public async Task A_client_connected_across_systemctl_restart_and_a_SIGKILL_has_every_line_logged_once()
    {
        await sandbox.RunOkAsync("systemctl start socketdaemon.service");
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(sandbox.HostPath(InstalledSystemdSandbox.Socket)));
        var tag = "once-" + Guid.NewGuid().ToString("N")[..6];

        await SendLinesAsync(client, tag, 1, 100);
        await sandbox.WaitForMessageAsync($"{tag}-100");
        var first = await MainPidAsync();

        await sandbox.RunOkAsync("systemctl restart socketdaemon.service");
        var second = await MainPidAsync();
        Assert.NotEqual(first, second);
        await SendLinesAsync(client, tag, 101, 200);
        await sandbox.WaitForMessageAsync($"{tag}-200");

        // A crash: systemd restarts the service (Restart=on-failure) and hands back the stored connection.
        await sandbox.RunOkAsync("systemctl kill --signal=SIGKILL socketdaemon.service");
        await SendLinesAsync(client, tag, 201, 300);
        await sandbox.WaitForMessageAsync($"{tag}-300");
        Assert.NotEqual(second, await MainPidAsync());

        var numbers = sandbox.MessageLines()
            .Select(line => Regex.Match(line, $@": {tag}-(\d+)$"))
            .Where(match => match.Success)
            .Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(Enumerable.Range(1, 300), numbers.Order());
    }

    [RealSystemdFact]
    public async Task Systemctl_reload_with_a_broken_configuration_keeps_the_daemon_running_on_the_old_one()
    {
        await sandbox.RunOkAsync("systemctl start socketdaemon.service");
        var before = await MainPidAsync();
        try
        {
            await sandbox.RunOkAsync("""
                cp /etc/socketdaemon/appsettings.json /etc/socketdaemon/appsettings.json.good
                echo '{ "SocketDaemon": { "Limits": { "MaxMessageBytes": ' > /etc/socketdaemon/appsettings.json
                """);

            // Refused by the daemon (SIGHUP) or by the unit's ExecReload check: either way the daemon keeps running.
            await sandbox.RunAsync("systemctl reload socketdaemon.service");

            await sandbox.RunOkAsync($"logger --socket-errors=on -T -u {InstalledSystemdSandbox.Socket} still-running-after-a-broken-reload");
            await sandbox.WaitForMessageAsync("still-running-after-a-broken-reload");
            Assert.Equal(before, await MainPidAsync());
            Assert.Equal("active", (await sandbox.RunOkAsync("systemctl is-active socketdaemon.service")).Trim());
        }
        finally
        {
            await sandbox.RunOkAsync("mv /etc/socketdaemon/appsettings.json.good /etc/socketdaemon/appsettings.json");
        }
    }

    [RealSystemdFact]
    public async Task A_client_running_as_another_user_is_logged_with_its_process_name_under_the_shipped_unit()
    {
        await sandbox.RunOkAsync("systemctl start socketdaemon.service");
        var uid = (await sandbox.RunOkAsync("id -u sdclient")).Trim();
        var tag = "from-another-user-" + Guid.NewGuid().ToString("N")[..6];

        // logger stays connected while the fifo is open, so the daemon reads the name of a live process; the loop
        // waits until the line is logged, then closes the fifo and logger exits.
        var line = await sandbox.RunOkAsync($"""
            fifo=$(mktemp -u /tmp/comm.XXXXXX); mkfifo "$fifo"
            runuser -u sdclient -- logger --socket-errors=on -T -u {InstalledSystemdSandbox.Socket} < "$fifo" &
            exec 3>"$fifo"
            echo {tag} >&3
            for _ in $(seq 600); do grep -h {tag} /var/log/socketdaemon/messages*.log && break; sleep 0.1; done
            exec 3>&-
            wait
            rm "$fifo"
            """);

        Assert.Contains($" uid={uid} ", line, StringComparison.Ordinal);
        Assert.Contains(" comm=logger]", line, StringComparison.Ordinal);
    }

    [RealSystemdFact]
    public async Task A_warning_of_the_daemon_is_in_the_journal_at_priority_warning()
    {
        await sandbox.RunOkAsync("systemctl start socketdaemon.service");
        using (var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await client.ConnectAsync(new UnixDomainSocketEndPoint(sandbox.HostPath(InstalledSystemdSandbox.Socket)));
            // A line over MaxMessageBytes (64 KiB) closes the connection with a warning.
            await client.SendAsync(Encoding.ASCII.GetBytes(new string('a', 70_000)));
            var buffer = new byte[16];
            while (await client.ReceiveAsync(buffer) > 0)
            {
            }
        }

        await sandbox.UntilAsync("journalctl -u socketdaemon.service -o cat --no-pager | grep -q 'closing connection'", "the warning in the journal");
        var warnings = await sandbox.RunOkAsync("journalctl -u socketdaemon.service -p warning -o cat --no-pager");
        Assert.Contains("closing connection", warnings, StringComparison.Ordinal);
        var informational = await sandbox.RunOkAsync("journalctl -u socketdaemon.service -p warning -o cat --no-pager | grep -c 'Application started' || true");
        Assert.Equal("0", informational.Trim());
    }

    private async Task<string> MainPidAsync()
    {
        await sandbox.UntilAsync("test \"$(systemctl show -p SubState --value socketdaemon.service)\" = running", "socketdaemon.service running");
        return (await sandbox.RunOkAsync("systemctl show -p MainPID --value socketdaemon.service")).Trim();
    }

    private static async Task SendLinesAsync(Socket client, string tag, int from, int to)
    {
        var text = new StringBuilder();
        for (var i = from; i <= to; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{tag}-{i}\n");
        }

        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        for (var sent = 0; sent < bytes.Length;)
        {
            sent += await client.SendAsync(bytes.AsMemory(sent));
        }
    }
}
