using SocketDaemon.Cli;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary><c>socketctl send</c> from arguments and from standard input.</summary>
public class SocketCtlTests
{
    private static async Task<(int ExitCode, string Error)> RunAsync(string standardInput, params string[] args)
    {
        var error = new StringWriter();
        var exitCode = await SocketCtl.CreateRootCommand(new StringReader(standardInput))
            .Parse(args)
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Error = error, Output = new StringWriter() })
            .WaitAsync(Wait.Timeout);
        return (exitCode, error.ToString());
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("lines")]
    public async Task Send_sends_each_argument_as_a_message(string framing)
    {
        await using var daemon = await TestDaemon.StartAsync();

        var (exitCode, _) = await RunAsync(string.Empty, "send", "--endpoint", daemon.Unix.ToString(), "--framing", framing, "one", "two words");

        Assert.Equal(0, exitCode);
        Assert.Equal(["one", "two words"], await daemon.Log.WaitForAsync(2));
    }

    [Fact]
    public async Task Send_without_messages_sends_each_line_of_standard_input()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var lines = Enumerable.Range(0, 1000).Select(i => $"line {i}").ToList();

        var (exitCode, _) = await RunAsync(string.Join('\n', lines) + "\n", "send", "-e", daemon.Tcp.ToString(), "-f", "lines");

        Assert.Equal(0, exitCode);
        Assert.Equal(lines, await daemon.Log.WaitForAsync(1000));
    }

    [Fact]
    public async Task Send_to_nothing_fails_with_one_clear_line()
    {
        var (exitCode, error) = await RunAsync(string.Empty, "send", "--endpoint", "unix:/nonexistent/socketdaemon.sock", "lost");

        Assert.Equal(SocketCtl.Failed, exitCode);
        Assert.StartsWith("socketctl: cannot connect to unix:/nonexistent/socketdaemon.sock: /nonexistent/socketdaemon.sock does not exist; is the daemon running?", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Send_with_a_bad_endpoint_says_what_is_wrong()
    {
        var (exitCode, error) = await RunAsync(string.Empty, "send", "--endpoint", "nowhere", "lost");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'nowhere' is not an endpoint", error, StringComparison.Ordinal);
    }
}
