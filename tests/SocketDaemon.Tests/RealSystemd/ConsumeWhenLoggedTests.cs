using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.RealSystemd;

/// <summary>
/// <c>Systemd:ConsumeWhenLogged</c> under a real systemd: clients without acknowledgements, sending flat out over Unix
/// and TCP while the service is SIGKILLed again and again, have every line in the log exactly once, because their bytes
/// leave the stored sockets only once their lines are logged.
/// </summary>
[Collection(RealSystemdTier.Name)]
public sealed partial class ConsumeWhenLoggedTests(InstalledSystemdSandbox sandbox) : IClassFixture<InstalledSystemdSandbox>
{
    private const int Lines = 400_000;
    private const int Kills = 5;

    [RealSystemdFact]
    public async Task Clients_sending_flat_out_over_Unix_and_TCP_across_five_SIGKILLs_have_every_line_logged_once()
    {
        var port = FreeTcpPort();
        // The TCP socket unit on a free port; no start limit, since the test restarts the service six times in a row.
        await sandbox.RunOkAsync($"""
            mkdir -p /etc/systemd/system/socketdaemon.service.d /etc/systemd/system/socketdaemon-tcp.socket.d
            printf '[Unit]\nStartLimitIntervalSec=0\n[Service]\nEnvironment=SocketDaemon__Systemd__ConsumeWhenLogged=true\n' \
                > /etc/systemd/system/socketdaemon.service.d/consume.conf
            printf '[Socket]\nListenStream=\nListenStream=127.0.0.1:{port}\n' > /etc/systemd/system/socketdaemon-tcp.socket.d/port.conf
            systemctl daemon-reload
            systemctl start socketdaemon-tcp.socket
            systemctl restart socketdaemon.service
            """);
        await MainPidAsync();

        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await unix.ConnectAsync(new UnixDomainSocketEndPoint(sandbox.HostPath(InstalledSystemdSandbox.Socket)));
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var id = Guid.NewGuid().ToString("N")[..6];
        var (unixTag, tcpTag) = ($"cwl-unix-{id}", $"cwl-tcp-{id}");

        var sending = Task.WhenAll(SendAsync(unix, unixTag), SendAsync(tcp, tcpTag));
        for (var kill = 1; kill <= Kills; kill++)
        {
            // Each kill lands while both clients are mid-stream: once the log has reached the next step of either.
            var step = kill * Lines / (Kills + 2);
            await Wait.UntilAsync(() => LastLogged(unixTag) >= step || LastLogged(tcpTag) >= step, $"line {step} before kill {kill}", TimeSpan.FromSeconds(120));
            var before = await MainPidAsync();
            await sandbox.RunOkAsync("systemctl kill --signal=SIGKILL socketdaemon.service");
            await sandbox.UntilAsync(
                $"pid=$(systemctl show -p MainPID --value socketdaemon.service); [ \"$pid\" != 0 ] && [ \"$pid\" != {before} ]",
                $"the service restarted after kill {kill}");
        }

        await sending.WaitAsync(TimeSpan.FromMinutes(3));
        List<int> unixNumbers = [], tcpNumbers = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < deadline; await Task.Delay(500))
        {
            var lines = sandbox.MessageLines();
            (unixNumbers, tcpNumbers) = (Numbers(lines, unixTag), Numbers(lines, tcpTag));
            if (unixNumbers.Count >= Lines && tcpNumbers.Count >= Lines)
            {
                break;
            }
        }

        Assert.True(unixNumbers.SequenceEqual(Enumerable.Range(1, Lines)), "unix: " + Describe(unixNumbers));
        Assert.True(tcpNumbers.SequenceEqual(Enumerable.Range(1, Lines)), "tcp: " + Describe(tcpNumbers));
    }

    // What a run of numbered lines lacks or has twice, for the failure message.
    private static string Describe(List<int> numbers)
    {
        var missing = Enumerable.Range(1, Lines).Except(numbers).Take(10).ToList();
        var twice = numbers.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).Take(10).ToList();
        return $"{numbers.Count} lines, {numbers.Distinct().Count()} distinct; missing {string.Join(',', missing)}; twice {string.Join(',', twice)}";
    }

    // Numbered lines as fast as the socket takes them, in writes of a thousand.
    private static async Task SendAsync(Socket client, string tag)
    {
        var text = new StringBuilder();
        for (var from = 1; from <= Lines; from += 1000)
        {
            text.Clear();
            for (var i = from; i < from + 1000; i++)
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

    private static List<int> Numbers(IEnumerable<string> lines, string tag) =>
        [.. lines.Select(line => LineNumber().Match(line)).Where(m => m.Success && m.Groups["tag"].Value == tag)
            .Select(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture)).Order()];

    // The highest number of tag in the end of the file written: cheap enough to poll while the log grows.
    private int LastLogged(string tag)
    {
        var path = sandbox.HostPath("/var/log/socketdaemon/messages.log");
        if (!File.Exists(path))
        {
            return 0;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var tail = new byte[Math.Min(file.Length, 256 * 1024)];
        file.Seek(-tail.Length, SeekOrigin.End);
        file.ReadExactly(tail);
        return Numbers(Encoding.ASCII.GetString(tail).Split('\n'), tag).DefaultIfEmpty(0).Max();
    }

    private async Task<string> MainPidAsync()
    {
        await sandbox.UntilAsync("test \"$(systemctl show -p SubState --value socketdaemon.service)\" = running", "socketdaemon.service running");
        return (await sandbox.RunOkAsync("systemctl show -p MainPID --value socketdaemon.service")).Trim();
    }

    // The sandbox shares the machine's network: a port nothing else holds now.
    private static int FreeTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    [GeneratedRegex(@": (?<tag>cwl-(unix|tcp)-[0-9a-f]{6})-(?<n>\d+)$")]
    private static partial Regex LineNumber();
}
