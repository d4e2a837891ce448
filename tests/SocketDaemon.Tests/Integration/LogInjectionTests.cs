using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>A message cannot forge a line of the message log, whatever bytes it holds (issue 7, point 5).</summary>
public class LogInjectionTests
{
    [Theory]
    [InlineData(MessageFraming.Seed)]
    [InlineData(MessageFraming.Native)]
    public async Task A_message_with_a_newline_stays_one_escaped_line(MessageFraming framing)
    {
        await using var daemon = await TestDaemon.StartAsync();

        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix, framing))
        {
            await client.SendAsync("a\nFAKE 2026-01-01 forged");
            await client.SendAsync("\u001b[2J\rcleared");
            await client.SendAsync("last");
        }

        await daemon.Log.WaitForTextAsync("last");
        Assert.Equal([@"a\nFAKE 2026-01-01 forged", @"\x1b[2J\rcleared", "last"], daemon.Log.Texts());
    }

    [Fact]
    public async Task Invalid_utf8_is_logged_escaped_not_dropped()
    {
        await using var daemon = await TestDaemon.StartAsync();

        using (var client = await RawClient.ConnectAsync(daemon.Unix))
        {
            await client.SendAsync([.. "bad "u8, 0xFF, 0xC3, .. " bytes\n"u8]);
        }

        var line = await daemon.Log.WaitForTextAsync(@"bad \xff\xc3 bytes");
        Assert.EndsWith(@": bad \xff\xc3 bytes", line, StringComparison.Ordinal);
    }
}
