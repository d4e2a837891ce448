using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>Filters and routes, the way syslog-ng's log paths send one listener to auth.log and the rest to messages.log.</summary>
public class RoutingTests
{
    [Fact]
    public async Task Messages_are_routed_by_listener_into_two_files()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Log",
            ["SocketDaemon:Pipeline:0:Listener"] = "tcp",
            ["SocketDaemon:Pipeline:0:Path"] = "auth.log",
            ["SocketDaemon:Pipeline:1:Handler"] = "Log",
        });

        await using (var tcp = await TestDaemon.ConnectAsync(daemon.Tcp, MessageFraming.Native))
        {
            await tcp.SendAsync("to auth.log");
        }

        await using (var unix = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native))
        {
            await unix.SendAsync("to messages.log");
        }

        Assert.Equal(["to messages.log"], daemon.Log.Texts());
        Assert.Equal(["to auth.log"], new MessageLogFile(daemon.LogDirectory, "auth*.log").Texts());
    }

    [Fact]
    public async Task A_filter_on_the_peer_uid_drops_another_users_messages_and_keeps_ours()
    {
        var ownUid = uint.Parse(File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Filter",
            ["SocketDaemon:Pipeline:0:Action"] = "keep",
            ["SocketDaemon:Pipeline:0:Uid"] = ownUid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SocketDaemon:Pipeline:1:Handler"] = "Filter",
            ["SocketDaemon:Pipeline:1:Match"] = "^debug:",
            ["SocketDaemon:Pipeline:2:Handler"] = "Log",
        });

        await using (var unix = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native))
        {
            await unix.SendManyAsync(["kept: our uid", "debug: dropped by the pattern"]);
        }

        // A TCP peer has no uid, so it is not the kept user.
        await using (var tcp = await TestDaemon.ConnectAsync(daemon.Tcp, MessageFraming.Native))
        {
            await tcp.SendAsync("dropped: no uid");
        }

        Assert.Equal(["kept: our uid"], daemon.Log.Texts());
    }

    [Fact]
    public async Task The_peers_credentials_are_properties_an_output_template_can_use()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Log",
            ["SocketDaemon:Pipeline:0:OutputTemplate"] = "{Pid}|{Comm}|{Text:l}{NewLine}",
        });

        await using (var unix = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native))
        {
            await unix.SendAsync("templated");
        }

        var line = Assert.Single(daemon.Log.Lines());
        Assert.Equal($"{Environment.ProcessId}|{File.ReadAllText("/proc/self/comm").TrimEnd('\n')}|templated", line);
    }

    [Theory]
    [InlineData("SocketDaemon:Pipeline:0:Match", "([unclosed", "SocketDaemon:Pipeline:0:Match: '([unclosed' is not a valid regular expression")]
    [InlineData("SocketDaemon:Pipeline:0:Action", "shred", "SocketDaemon:Pipeline:0:Action: 'shred' is neither drop nor keep")]
    [InlineData("SocketDaemon:Pipeline:0:Address", "not-an-ip", "SocketDaemon:Pipeline:0:Address: 'not-an-ip' is not an IP address")]
    public async Task A_bad_filter_stops_start_up_naming_its_key(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Filter",
            [key] = value,
            ["SocketDaemon:Pipeline:1:Handler"] = "Log",
        }));

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    /// <summary>A log file other than messages*.log, read like <see cref="MessageLog"/>.</summary>
    private sealed class MessageLogFile(string directory, string pattern)
    {
        public IReadOnlyList<string> Texts() =>
            [.. Directory.GetFiles(directory, pattern).SelectMany(File.ReadAllLines).Select(MessageLog.TextOf)];
    }
}
