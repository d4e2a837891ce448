using System.Text;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Connections;

namespace SocketDaemon.Tests.Limits;

/// <summary>
/// <c>Oversize</c> over a real socket: <c>drop</c> skips the frame and the connection reads on, <c>truncate</c> logs the
/// first <c>MaxMessageBytes</c> marked <c>[truncated]</c>; each counted in <c>/status</c>.
/// </summary>
public class OversizeTests
{
    private const int Max = 16;

    private static readonly string Long = new('x', 1000);

    public static TheoryData<string, string> PoliciesAndFramings => new()
    {
        { "drop", "seed" }, { "drop", "lines" }, { "drop", "octet" },
        { "truncate", "seed" }, { "truncate", "lines" }, { "truncate", "octet" },
    };

    [Theory]
    [MemberData(nameof(PoliciesAndFramings))]
    public async Task An_oversize_frame_follows_the_listener_policy_and_the_connection_reads_on(string policy, string framing)
    {
        await using var daemon = await StartAsync(policy, framing);
        using var client = await RawClient.ConnectAsync(daemon.Unix);

        await client.SendAsync([.. Frame(framing, "before"), .. Frame(framing, Long), .. Frame(framing, "after")]);

        var expected = policy == "drop" ? new[] { "before", "after" } : ["before", new string('x', Max) + " [truncated]", "after"];
        Assert.Equal(expected, await daemon.Log.WaitForAsync(expected.Length));
        var reason = policy == "drop" ? ErrorReasons.OversizeDropped : ErrorReasons.OversizeTruncated;
        Assert.Equal(1, daemon.Listeners["unix"].ErrorsByReason.GetValueOrDefault(reason));
        Assert.Contains($"\"{reason}\": 1", await HttpExchange.GetAsync(daemon.Tcp, "/status"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("truncate")]
    public async Task A_lines_client_that_never_sends_a_newline_follows_the_policy_and_stays_connected(string policy)
    {
        await using var daemon = await StartAsync(policy, "lines");
        using var client = await RawClient.ConnectAsync(daemon.Unix);

        // Far more than the limit, in many writes, and no newline: the daemon must not hold it all.
        for (var i = 0; i < 64; i++)
        {
            await client.SendAsync(new string('z', 4096));
        }

        await client.SendAsync("\nafter\n");

        var expected = policy == "drop" ? new[] { "after" } : [new string('z', Max) + " [truncated]", "after"];
        Assert.Equal(expected, await daemon.Log.WaitForAsync(expected.Length));
        Assert.Equal(1, daemon.Listeners["unix"].OpenConnections);
    }

    private static Task<TestDaemon> StartAsync(string policy, string framing) =>
        TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:unix:Framing"] = framing,
            ["SocketDaemon:Listeners:unix:Oversize"] = policy,
            ["SocketDaemon:Listeners:unix:MaxMessageBytes"] = Max.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private static byte[] Frame(string framing, string text) => framing switch
    {
        "seed" => RawClient.SeedFrame(text),
        "lines" => Encoding.UTF8.GetBytes(text + "\n"),
        _ => Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(text)} {text}"),
    };
}
