using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>Datagram listeners: one datagram, one message, as logger and syslog senders send them.</summary>
public class DatagramTests
{
    private static async Task<TestDaemon> StartAsync(string? maxMessageBytes = null)
    {
        var directory = Path.Combine("/tmp", "sdt-dg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        return await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:dgram:Endpoint"] = "unixgram:" + Path.Combine(directory, "dgram.sock"),
            ["SocketDaemon:Listeners:udp:Endpoint"] = "udp://127.0.0.1:0",
            ["SocketDaemon:Listeners:udp:ReceiveBufferBytes"] = "262144",
            ["SocketDaemon:Limits:MaxMessageBytes"] = maxMessageBytes ?? "65536",
        });
    }

    private static string DatagramPath(TestDaemon daemon) => daemon.Listeners["dgram"].Endpoint.Path!;

    [Fact]
    public async Task Unix_and_UDP_datagrams_are_one_message_each_with_seed_frames_unwrapped()
    {
        await using var daemon = await StartAsync();
        using var unix = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var path = new UnixDomainSocketEndPoint(DatagramPath(daemon));

        await unix.SendToAsync(Encoding.UTF8.GetBytes("a datagram"), path);
        await unix.SendToAsync(RawClient.SeedFrame("a seed frame in a datagram"), path);
        await unix.SendToAsync(Encoding.UTF8.GetBytes("with a newline\n"), path);
        await udp.SendToAsync(Encoding.UTF8.GetBytes("over UDP"), daemon.Listeners["udp"].Endpoint.EndPoint);

        var texts = await daemon.Log.WaitForAsync(4);
        Assert.Equal(["a datagram", "a seed frame in a datagram", "over UDP", "with a newline"], texts.Order(StringComparer.Ordinal));
        Assert.StartsWith("udp://127.0.0.1:", daemon.Listeners["udp"].Endpoint.ToString(), StringComparison.Ordinal);
        Assert.Contains(daemon.Log.Lines(), l => l.Contains(" udp [127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_unix_datagram_carries_its_senders_pid_uid_and_process_name()
    {
        await using var daemon = await StartAsync();
        using var unix = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

        await unix.SendToAsync(Encoding.UTF8.GetBytes("who am I"), new UnixDomainSocketEndPoint(DatagramPath(daemon)));

        var line = await daemon.Log.WaitForTextAsync("who am I");
        Assert.Contains($"[pid={Environment.ProcessId} uid=", line, StringComparison.Ordinal);
        Assert.Contains($" comm={File.ReadAllText("/proc/self/comm").TrimEnd('\n')}]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversize_datagram_is_dropped_and_counted_never_logged_cut()
    {
        await using var daemon = await StartAsync(maxMessageBytes: "100");
        using var unix = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var path = new UnixDomainSocketEndPoint(DatagramPath(daemon));

        await unix.SendToAsync(new byte[5000], path);
        await unix.SendToAsync(Encoding.UTF8.GetBytes(new string('y', 101)), path);
        await unix.SendToAsync(Encoding.UTF8.GetBytes(new string('z', 100)), path);

        Assert.Equal([new string('z', 100)], await daemon.Log.WaitForAsync(1));
        await Wait.UntilAsync(() => daemon.Listeners["dgram"].ErrorsByReason.GetValueOrDefault("oversize") == 2, "two oversize datagrams counted");
    }

    [Fact]
    public async Task Logger_over_the_unix_datagram_socket_and_over_UDP_is_logged()
    {
        await using var daemon = await StartAsync();
        var port = ((IPEndPoint)daemon.Listeners["udp"].Endpoint.EndPoint).Port;

        var unix = await ChildProcess.RunAsync("logger", ["-u", DatagramPath(daemon), "-t", "sdtest", "logger over unixgram"]);
        var udp = await ChildProcess.RunAsync("logger", ["-d", "-n", "127.0.0.1", "-P", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "sdtest", "logger over udp"]);

        Assert.Equal(0, unix.ExitCode);
        Assert.Equal(0, udp.ExitCode);
        var texts = await daemon.Log.WaitForAsync(2);
        Assert.Contains(texts, t => t.EndsWith("sdtest: logger over unixgram", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("sdtest", StringComparison.Ordinal) && t.EndsWith("logger over udp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_datagram_socket_passed_by_systemd_is_served()
    {
        using var directory = new TempDirectory();
        var socket = directory.Combine("activated-dgram.sock");
        await using var activator = await SocketActivator.StartAsync(socket, ["-d", "-l", socket, "--fdname=dgram"], "--log-dir", directory.Combine("logs"));

        using var sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        await sender.SendToAsync(Encoding.UTF8.GetBytes("to the passed datagram socket"), new UnixDomainSocketEndPoint(socket));

        await new MessageLog(directory.Combine("logs")).WaitForTextAsync("to the passed datagram socket");
        activator.Signal(ChildProcess.SIGTERM);
        Assert.Equal(0, await activator.WaitForExitAsync());
        Assert.True(File.Exists(socket));
    }
}
