using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Internal;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// Who gets in: the socket file's mode, owner and group; allow lists of uids, gids and address ranges, checked at accept
/// and per datagram; quit and status switched off per listener.
/// </summary>
public class AccessControlTests
{
    private static bool IsRoot => Libc.GetEffectiveUserId() == 0;

    /// <summary>A group other than the daemon's own that it may give its files to: as root any, else one of its supplementary groups.</summary>
    private static string OtherGroup() => IsRoot ? "65534" : Run("id", "-G").Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];

    private static string Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }

    /// <summary>Owner uid, group gid and octal mode of <paramref name="path"/>, as stat(1) prints them.</summary>
    private static string Stat(string path) => Run("stat", "-c", "%u %g %a", path);

    [Fact]
    public async Task Socket_file_mode_owner_and_group_are_as_configured_after_start_and_after_restart()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("run/d.sock");
        var owner = IsRoot ? "65534" : Libc.GetEffectiveUserId().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var group = OtherGroup();
        var settings = new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:unix:Endpoint"] = "unix:" + path,
            ["SocketDaemon:Listeners:unix:Mode"] = "0640",
            ["SocketDaemon:Listeners:unix:Owner"] = owner,
            ["SocketDaemon:Listeners:unix:Group"] = group,
        };

        await using (var first = await TestDaemon.StartAsync(settings, defaultListeners: false))
        {
            Assert.Equal($"{owner} {group} 640", Stat(path));
            Assert.Equal($"{owner} {group} 750", Stat(directory.Combine("run")));
        }

        await using var second = await TestDaemon.StartAsync(settings, defaultListeners: false);
        Assert.Equal($"{owner} {group} 640", Stat(path));
    }

    [Fact]
    public async Task A_uid_not_on_the_allow_list_is_refused_at_accept_logged_and_counted()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:unix:AllowUids:0"] = "4242" });
        using var client = await RawClient.ConnectAsync(daemon.Unix);

        Assert.Equal(0, await ReceiveUntilClosedAsync(client.Socket));
        Assert.Equal(1, daemon.Listeners["unix"].ErrorsByReason["access_denied"]);
        Assert.Equal(0, daemon.Listeners["unix"].Connections);
        Assert.Empty(daemon.Log.Lines());
        await Wait.UntilAsync(
            () => Directory.GetFiles(daemon.LogDirectory, "socketdaemon*.log").Any(f => MessageLog.ReadShared(f).Contains("Listener unix: refusing pid=", StringComparison.Ordinal)
                && MessageLog.ReadShared(f).Contains("is not in AllowUids or AllowGids (access_denied)", StringComparison.Ordinal)),
            "the refusal in the operational log");
    }

    [Fact]
    public async Task A_uid_or_gid_on_the_allow_lists_by_name_or_number_gets_in()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:unix:AllowUids:0"] = "4242",
            ["SocketDaemon:Listeners:unix:AllowUids:1"] = Environment.UserName,
            ["SocketDaemon:Listeners:gid:Endpoint"] = "unix:@sdt-gid-" + Guid.NewGuid().ToString("N"),
            ["SocketDaemon:Listeners:gid:AllowGids:0"] = Run("id", "-g"),
        });

        await using (var byUid = await TestDaemon.ConnectAsync(daemon.Unix))
        await using (var byGid = await TestDaemon.ConnectAsync(daemon.Listeners["gid"].Endpoint))
        {
            await byUid.SendAsync("allowed by user name");
            await byGid.SendAsync("allowed by group id");
        }

        Assert.Equal(["allowed by group id", "allowed by user name"], (await daemon.Log.WaitForAsync(2)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_address_outside_the_allowed_ranges_is_refused_and_one_inside_gets_in()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:tcp:AllowAddresses:0"] = "10.0.0.0/8",
            ["SocketDaemon:Listeners:local:Endpoint"] = "tcp://127.0.0.1:0",
            ["SocketDaemon:Listeners:local:AllowAddresses:0"] = "192.0.2.7",
            ["SocketDaemon:Listeners:local:AllowAddresses:1"] = "127.0.0.0/8",
        });
        using var refused = await RawClient.ConnectAsync(daemon.Tcp);

        await using (var allowed = await TestDaemon.ConnectAsync(daemon.Listeners["local"].Endpoint, MessageFraming.Lines))
        {
            await allowed.SendAsync("from loopback");
        }

        Assert.Equal(0, await ReceiveUntilClosedAsync(refused.Socket));
        Assert.Equal(["from loopback"], await daemon.Log.WaitForAsync(1));
        Assert.Equal(1, daemon.Listeners["tcp"].ErrorsByReason["access_denied"]);
        var status = await HttpExchange.GetAsync(daemon.Listeners["local"].Endpoint, "/status");
        Assert.Matches("\"access_denied\": ?1", status);
    }

    [Fact]
    public async Task Datagrams_from_outside_the_allow_lists_are_dropped_and_counted()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:udp:Endpoint"] = "udp://127.0.0.1:0",
            ["SocketDaemon:Listeners:udp:AllowAddresses:0"] = "192.0.2.0/24",
            ["SocketDaemon:Listeners:dgram:Endpoint"] = "unixgram:@sdt-dgram-" + Guid.NewGuid().ToString("N"),
            ["SocketDaemon:Listeners:dgram:AllowUids:0"] = "4242",
        });
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var unix = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

        await udp.SendToAsync(Encoding.UTF8.GetBytes("udp, not allowed"), daemon.Listeners["udp"].Endpoint.EndPoint);
        await unix.SendToAsync(Encoding.UTF8.GetBytes("unixgram, not allowed"), daemon.Listeners["dgram"].Endpoint.EndPoint);

        await Wait.UntilAsync(() => daemon.Listeners["udp"].ErrorsByReason.GetValueOrDefault("access_denied") == 1, "the UDP datagram refused");
        await Wait.UntilAsync(() => daemon.Listeners["dgram"].ErrorsByReason.GetValueOrDefault("access_denied") == 1, "the Unix datagram refused");
        Assert.Empty(daemon.Log.Lines());
    }

    [Fact]
    public async Task Quit_and_status_can_be_switched_off_per_listener()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:unix:AllowQuit"] = "false",
            ["SocketDaemon:Listeners:unix:AllowStatus"] = "false",
            ["SocketDaemon:Listeners:tcp:AllowStatus"] = "false",
        });
        var lifetime = daemon.Host.Services.GetRequiredService<IHostApplicationLifetime>();

        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native))
        {
            var quit = await Assert.ThrowsAsync<SocketDaemonException>(() => client.QuitAsync());
            var status = await Assert.ThrowsAsync<SocketDaemonException>(() => client.GetStatusAsync());
            Assert.Equal(NativeErrorCode.Forbidden, quit.Code);
            Assert.Equal(NativeErrorCode.Forbidden, status.Code);
            await client.SendAsync("still open after both");
        }

        await using (var seed = await TestDaemon.ConnectAsync(daemon.Unix))
        {
            await seed.SendAsync("quit");
        }

        var (code, _, body) = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/status"));
        var (health, _, _) = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/healthz"));
        Assert.Equal(403, code);
        Assert.Contains("does not answer status requests", body, StringComparison.Ordinal);
        Assert.Equal(200, health);
        Assert.Equal(["quit", "still open after both"], (await daemon.Log.WaitForAsync(2)).Order(StringComparer.Ordinal));
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task A_TCP_listener_beyond_loopback_without_an_allow_list_or_TLS_is_warned_about()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:open:Endpoint"] = "tcp://*:0" });

        await Wait.UntilAsync(
            () => Directory.GetFiles(daemon.LogDirectory, "socketdaemon*.log").Any(f => MessageLog.ReadShared(f).Contains("Listener open listens on tcp://", StringComparison.Ordinal)),
            "the warning in the operational log");
        Assert.DoesNotContain(
            Directory.GetFiles(daemon.LogDirectory, "socketdaemon*.log"),
            f => MessageLog.ReadShared(f).Contains("Listener tcp listens on", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string> BadValues => new()
    {
        { "SocketDaemon:Listeners:tcp:AllowAddresses:0", "10.0.0.0/33", "SocketDaemon:Listeners:tcp:AllowAddresses:0: '10.0.0.0/33' is not an address range" },
        { "SocketDaemon:Listeners:unix:Group", "no-such-group-here", "SocketDaemon:Listeners:unix:Group: 'no-such-group-here' is not a group on this system" },
        { "SocketDaemon:Listeners:unix:Owner", "no-such-user-here", "SocketDaemon:Listeners:unix:Owner: 'no-such-user-here' is not a user on this system" },
        { "SocketDaemon:Listeners:unix:AllowUids:0", "no-such-user-here", "SocketDaemon:Listeners:unix:AllowUids:0: 'no-such-user-here' is not a user id" },
        { "SocketDaemon:Listeners:tcp:Tls:Certificate", "/nonexistent/server.pem", "SocketDaemon:Listeners:tcp:Tls:Certificate: /nonexistent/server.pem does not exist" },
        { "SocketDaemon:Listeners:unix:Tls:Certificate", "/nonexistent/server.pem", "SocketDaemon:Listeners:unix:Tls: TLS is for tcp:// listeners" },
        { "SocketDaemon:Listeners:tcp:Tls:ClientCertificate", "required", "SocketDaemon:Listeners:tcp:Tls:Certificate: client certificates need TLS" },
        { "SocketDaemon:Listeners:tcp:AllowUids:0", "0", "SocketDaemon:Listeners:tcp:AllowUids: peers of tcp://127.0.0.1:0 have addresses, not user ids" },
        { "SocketDaemon:Listeners:unix:AllowAddresses:0", "127.0.0.1", "SocketDaemon:Listeners:unix:AllowAddresses: peers of unix:" },
        { "SocketDaemon:Listeners:unix:ProxyProtocol", "true", "SocketDaemon:Listeners:unix:ProxyProtocol: the PROXY protocol is for tcp:// listeners" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task A_bad_access_setting_stops_start_up_naming_its_key(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestDaemon.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    /// <summary>Reads until the daemon closes the connection; 0 once it has, whatever it sent before.</summary>
    private static async Task<int> ReceiveUntilClosedAsync(Socket socket)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with unread data: a reset, which is a close all the same.
        }

        return 0;
    }
}
