using System.CommandLine;
using SocketDaemon.Cli;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Socketctl;

/// <summary>socketctl as operators expect: one-line errors, distinct exit codes, health, logger-style send.</summary>
public class SocketctlCommandTests
{
    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => await RunWithInputAsync(string.Empty, args);

    internal static async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(string standardInput, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await SocketCtl.InvokeAsync(args, () => new StringReader(standardInput), new InvocationConfiguration { Output = output, Error = error })
            .WaitAsync(Wait.Timeout);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task An_unknown_command_gives_one_line_with_the_nearest_command_and_exit_code_2()
    {
        var (exitCode, output, error) = await RunAsync("stauts");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("socketctl: unknown command 'stauts'; did you mean 'status'? See 'socketctl --help'.\n", error.Replace("\r", string.Empty, StringComparison.Ordinal));
        Assert.Empty(output);
    }

    [Fact]
    public async Task A_mistyped_option_of_a_command_gives_one_line_with_the_nearest_option()
    {
        var (exitCode, _, error) = await RunAsync("status", "--jsno");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.StartsWith("socketctl: unknown option '--jsno' for 'socketctl status'; did you mean '--json'? See 'socketctl status --help'.", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_mistyped_option_of_send_is_not_sent_as_a_message()
    {
        var (exitCode, _, error) = await RunAsync("send", "-e", "unix:/nonexistent/s.sock", "--framng", "lines", "hello");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("unknown option '--framng' for 'socketctl send'; did you mean '--framing'?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_starting_with_dashes_goes_after_a_double_dash()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var (exitCode, _, _) = await RunAsync("send", "-e", daemon.Unix.ToString(), "--", "--not-an-option");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Equal(["--not-an-option"], await daemon.Log.WaitForAsync(1));
    }

    [Fact]
    public async Task No_daemon_is_exit_code_3_for_every_command()
    {
        foreach (var command in new[] { "status", "health", "send", "tail", "quit", "reload", "top" })
        {
            var (exitCode, _, error) = await RunAsync(command, "-e", "unix:/nonexistent/socketctl.sock");

            Assert.True(ExitCodes.NotRunning == exitCode, $"{command}: exit {exitCode}, {error}");
            Assert.Contains("/nonexistent/socketctl.sock does not exist; is the daemon running?", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_regular_file_as_the_endpoint_is_named_as_not_a_socket()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("not-a-socket");
        await File.WriteAllTextAsync(file, "plain file");

        var (exitCode, _, error) = await RunAsync("send", "-e", "unix:" + file, "lost");

        Assert.Equal(ExitCodes.NotRunning, exitCode);
        Assert.Contains($"{file} is not a socket but a regular file", error, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_of_a_healthy_daemon_exits_0()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var unix = await RunAsync("health", "-e", daemon.Unix.ToString());
        var tcp = await RunAsync("health", "-q", "-e", daemon.Tcp.ToString());

        Assert.Equal((ExitCodes.Ok, "healthy\n"), (unix.ExitCode, unix.Output.Replace("\r", string.Empty, StringComparison.Ordinal)));
        Assert.Equal((ExitCodes.Ok, string.Empty), (tcp.ExitCode, tcp.Output));
    }

    [Fact]
    public async Task Health_of_a_daemon_whose_log_cannot_be_written_exits_1_with_the_reason()
    {
        await using var daemon = await TestDaemon.StartAsync();
        if (Environment.UserName == "root")
        {
            // Root writes through any mode: make the directory unusable another way.
            Directory.Delete(daemon.LogDirectory, recursive: true);
            await File.WriteAllTextAsync(daemon.LogDirectory, "a file where the log directory was");
        }
        else
        {
            File.SetUnixFileMode(daemon.LogDirectory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        var (exitCode, _, error) = await RunAsync("health", "-e", daemon.Unix.ToString());

        Assert.Equal(ExitCodes.Failed, exitCode);
        Assert.StartsWith("socketctl: unhealthy:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_with_tag_and_priority_sends_RFC_5424_as_logger_does()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var (exitCode, _, _) = await RunAsync("send", "-e", daemon.Unix.ToString(), "-t", "myapp", "-p", "auth.warning", "disk almost full");

        Assert.Equal(ExitCodes.Ok, exitCode);
        var text = Assert.Single(await daemon.Log.WaitForAsync(1));

        // <PRI>1 TIMESTAMP HOSTNAME TAG PID - - MSG, with PRI = auth (4) * 8 + warning (4).
        Assert.Matches(@"^<36>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d \S+ myapp \d+ - - disk almost full$", text);
    }

    [Theory]
    [InlineData("local3.err", 155)]
    [InlineData("user.notice", 13)]
    [InlineData("kern.emerg", 0)]
    [InlineData("warn", 12)]
    [InlineData("daemon.info", 30)]
    public void Priorities_are_taken_as_logger_takes_them(string priority, int expected) =>
        Assert.Equal(expected, SocketDaemon.Cli.Internal.SyslogHeader.ParsePriority(priority));

    [Fact]
    public async Task Send_with_an_unknown_facility_is_a_usage_error_that_lists_the_facilities()
    {
        var (exitCode, _, error) = await RunAsync("send", "-e", "unix:/nonexistent/s.sock", "-p", "nosuch.info", "x");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("'nosuch' is not a syslog facility; expected one of kern, user,", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Octet_framing_refuses_an_empty_message_before_sending_any()
    {
        await using var daemon = await TestDaemon.StartAsync();

        var arguments = await RunAsync("send", "-e", daemon.Unix.ToString(), "-f", "octet", "first", string.Empty, "third");
        var input = await RunWithInputAsync("first\n\nthird\n", "send", "-e", daemon.Unix.ToString(), "-f", "octet");
        await RunAsync("send", "-e", daemon.Unix.ToString(), "-f", "octet", "marker");

        Assert.Equal(ExitCodes.Usage, arguments.ExitCode);
        Assert.Equal(ExitCodes.Usage, input.ExitCode);
        Assert.Contains("message 2 is empty, and octet counting (RFC 6587) cannot frame an empty message; nothing was sent", arguments.Error, StringComparison.Ordinal);

        // Nothing before the marker: neither run sent its first message.
        Assert.Equal(["marker"], await daemon.Log.WaitForAsync(1));
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("lines")]
    [InlineData("native")]
    public async Task Other_framings_send_an_empty_message_as_an_empty_message(string framing)
    {
        await using var daemon = await TestDaemon.StartAsync();

        var (exitCode, _, _) = await RunAsync("send", "-e", daemon.Unix.ToString(), "-f", framing, "before", string.Empty, "after");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Equal(["before", string.Empty, "after"], await daemon.Log.WaitForAsync(3));
    }

    [Fact]
    public async Task A_daemon_certificate_for_another_name_is_named_a_name_mismatch()
    {
        using var certificates = new TestCertificates();
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Listeners:tls:Endpoint"] = "tcp://127.0.0.1:0",
            ["SocketDaemon:Listeners:tls:Tls:Certificate"] = certificates.ServerFile,
        });
        var endpoint = "tls://" + daemon.Listeners["tls"].Endpoint.ToString()["tcp://".Length..];

        var mismatch = await RunAsync("status", "-e", endpoint, "--tls-ca", certificates.CaFile, "--tls-server-name", "elsewhere.example");
        var untrusted = await RunAsync("status", "-e", endpoint, "--tls-ca", certificates.OtherCaFile);

        Assert.Equal(ExitCodes.TlsFailed, mismatch.ExitCode);
        Assert.Contains("name mismatch: the daemon's certificate is not for 'elsewhere.example'", mismatch.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.TlsFailed, untrusted.ExitCode);
        Assert.Contains("untrusted issuer", untrusted.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_signals_the_daemon_which_reloads_its_configuration()
    {
        using var directory = new TempDirectory();
        await using var daemon = await DaemonProcess.StartAsync(directory);

        await using var reload = ChildProcess.StartSocketCtl(["reload", "--endpoint", daemon.Endpoint]);

        Assert.Equal(ExitCodes.Ok, await reload.WaitForExitAsync());
        Assert.Contains($"reload requested (SIGHUP to pid {daemon.Process.Id})", reload.StandardOutput, StringComparison.Ordinal);
        await daemon.Process.WaitForOutputAsync("Reloaded: log files reopened");
    }
}
