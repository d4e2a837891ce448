using System.CommandLine;
using System.Text;
using CsCheck;
using SocketDaemon.Cli;
using SocketDaemon.Cli.Internal;
using SocketDaemon.Client;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Socketctl;

/// <summary>socketctl tail prints what the log holds: control bytes escaped, the last lines first with -n.</summary>
public class SocketctlTailTests
{
    [Fact]
    public void Terminal_escaping_gives_exactly_the_bytes_the_log_escaping_gives() =>
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            var expected = new byte[LogEscaping.MaxEscapedLength(bytes.Length)];
            var written = LogEscaping.Escape(bytes, expected);
            Assert.Equal(expected[..written], TerminalEscaping.Escape(bytes));
        });

    [Fact]
    public void Terminal_escaping_of_text_matches_the_log_for_any_string() =>
        Gen.String.Sample(text =>
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var expected = new byte[LogEscaping.MaxEscapedLength(bytes.Length)];
            var written = LogEscaping.Escape(bytes, expected);
            Assert.Equal(Encoding.UTF8.GetString(expected, 0, written), TerminalEscaping.Escape(text));
        });

    [Fact]
    public async Task Tail_escapes_control_bytes_as_the_log_file_does_and_raw_prints_them()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var escaped = await TailOneAsync(daemon, []);
        var raw = await TailOneAsync(daemon, ["--raw"]);

        Assert.EndsWith(@" clear\x1b[2J\x07 \\ é", escaped, StringComparison.Ordinal);
        Assert.DoesNotContain('\e', escaped);
        Assert.EndsWith(" clear\e[2J\a \\ é", raw, StringComparison.Ordinal);

        // The log file holds the message the same way.
        Assert.EndsWith(@"clear\x1b[2J\x07 \\ é", (await daemon.Log.WaitForAsync(2))[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_with_n_prints_the_last_lines_of_the_log_then_follows()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native))
        {
            await client.SendManyAsync(["old 1", "old 2", "old 3", "old 4"]);
        }

        var output = new StringWriter();
        using var stop = new CancellationTokenSource(Wait.Timeout);
        var tail = SocketCtl.InvokeAsync(["tail", "-e", daemon.Unix.ToString(), "-n", "2", "--log", daemon.LogDirectory], () => TextReader.Null, new InvocationConfiguration { Output = TextWriter.Synchronized(output) }, stop.Token);
        await UntilSubscribedAsync(daemon);
        await using (var client = await TestDaemon.ConnectAsync(daemon.Unix, MessageFraming.Native))
        {
            await client.SendAsync("new 5");
        }

        await Wait.UntilAsync(() => output.ToString().Contains("new 5", StringComparison.Ordinal), "the tail to print the new message");
        await stop.CancelAsync();

        Assert.Equal(ExitCodes.Ok, await tail.WaitAsync(Wait.Timeout));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith(": old 3", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(": old 4", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(" new 5", lines[2].TrimEnd('\r'), StringComparison.Ordinal);
    }

    private static async Task<string> TailOneAsync(TestDaemon daemon, string[] options)
    {
        var output = new StringWriter();
        using var stop = new CancellationTokenSource(Wait.Timeout);
        var tail = SocketCtl.InvokeAsync(["tail", "-e", daemon.Unix.ToString(), .. options], () => TextReader.Null, new InvocationConfiguration { Output = TextWriter.Synchronized(output) }, stop.Token);
        await UntilSubscribedAsync(daemon);
        await using (var client = await TestDaemon.ConnectAsync(daemon.Tcp, MessageFraming.Native))
        {
            await client.SendAsync("clear\e[2J\a \\ é");
        }

        await Wait.UntilAsync(() => output.ToString().Contains('é', StringComparison.Ordinal), "the tail to print the message");
        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await tail.WaitAsync(Wait.Timeout));
        await Wait.UntilAsync(() => daemon.Host.Services.GetService(typeof(SocketDaemon.Pipeline.Tail.TailHub)) is SocketDaemon.Pipeline.Tail.TailHub { HasSubscribers: false }, "the tail to unsubscribe");
        return output.ToString().TrimEnd('\n', '\r');
    }

    private static Task UntilSubscribedAsync(TestDaemon daemon) =>
        Wait.UntilAsync(() => daemon.Host.Services.GetService(typeof(SocketDaemon.Pipeline.Tail.TailHub)) is SocketDaemon.Pipeline.Tail.TailHub { HasSubscribers: true }, "the tail to subscribe");
}
