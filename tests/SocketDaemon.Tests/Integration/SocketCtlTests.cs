using SocketDaemon.Cli;
using SocketDaemon.Client;
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

    [Theory]
    [InlineData("SEED")]
    [InlineData("Lines")]
    public async Task Send_takes_the_framing_in_any_case(string framing)
    {
        await using var daemon = await TestDaemon.StartAsync();

        var (exitCode, _) = await RunAsync(string.Empty, "send", "-e", daemon.Unix.ToString(), "-f", framing, "cased");

        Assert.Equal(0, exitCode);
        Assert.Equal(["cased"], await daemon.Log.WaitForAsync(1));
    }

    [Fact]
    public async Task Send_with_an_unknown_framing_fails_and_names_the_framings()
    {
        var (exitCode, error) = await RunAsync(string.Empty, "send", "-e", "unix:/nonexistent/socketctl.sock", "-f", "syslog", "never sent");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'syslog' is not a framing; expected native, seed, lines or octet.", error, StringComparison.Ordinal);
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
    public async Task Send_defaults_to_the_native_protocol_and_streams_standard_input()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var lines = Enumerable.Range(0, 5000).Select(i => $"native line {i}").ToList();

        var (exitCode, _) = await RunAsync(string.Join('\n', lines) + "\n", "send", "-e", daemon.Unix.ToString());

        // Exit 0 means acknowledged: every line is already in the log.
        Assert.Equal(0, exitCode);
        Assert.Equal(lines, daemon.Log.Texts());
    }

    [Fact]
    public async Task Status_prints_a_table_and_json_that_parses()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using (var client = await TestDaemon.ConnectAsync(daemon.Tcp, MessageFraming.Native))
        {
            await client.SendAsync("counted");
        }

        var table = new StringWriter();
        var json = new StringWriter();
        Assert.Equal(0, await SocketCtl.CreateRootCommand(TextReader.Null).Parse(["status", "-e", daemon.Unix.ToString()]).InvokeAsync(new() { Output = table }));
        Assert.Equal(0, await SocketCtl.CreateRootCommand(TextReader.Null).Parse(["status", "-e", daemon.Unix.ToString(), "--json"]).InvokeAsync(new() { Output = json }));

        Assert.StartsWith("SocketDaemon ", table.ToString(), StringComparison.Ordinal);
        Assert.Contains(daemon.Tcp.ToString(), table.ToString(), StringComparison.Ordinal);
        var status = System.Text.Json.JsonSerializer.Deserialize(json.ToString(), SocketDaemon.Client.Status.StatusJsonContext.Default.DaemonStatus)!;
        Assert.Equal(["tcp", "unix"], status.Listeners.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.Equal(1, status.Listeners.Single(l => l.Name == "tcp").Messages);
    }

    [Fact]
    public async Task Quit_stops_the_daemon_process_and_waits_until_its_socket_file_is_gone()
    {
        using var directory = new TempDirectory();
        await using var daemon = await DaemonProcess.StartAsync(directory, "--listen", "tcp://127.0.0.1:0");

        await using var quit = ChildProcess.StartSocketCtl(["quit", "--endpoint", daemon.Endpoint]);

        Assert.Equal(0, await quit.WaitForExitAsync());
        Assert.False(File.Exists(daemon.SocketPath));
        Assert.Equal(0, await daemon.Process.WaitForExitAsync());
        Assert.Contains("stopped unix:", quit.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_to_nothing_fails_with_one_clear_line()
    {
        var (exitCode, error) = await RunAsync(string.Empty, "send", "--endpoint", "unix:/nonexistent/socketdaemon.sock", "lost");

        Assert.Equal(ExitCodes.NotRunning, exitCode);
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
