using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Configuration;

/// <summary>
/// A configuration mistake is never silent: the real executable, started with one, exits 78 (EX_CONFIG) with exactly
/// one line on standard error that names the key (and the nearest known one), the file position or the expected form.
/// </summary>
public class ConfigurationMistakeTests
{
    private const string Invalid = "socketdaemon: invalid configuration: ";

    public static TheoryData<string, string> CommandLineMistakes => new()
    {
        { "--SocketDaemon:MaxMesageBytes=1024", Invalid + "SocketDaemon:MaxMesageBytes: no such setting (did you mean Limits:MaxMessageBytes?)" },
        { "--SocketDaemon:Pipline:0:Handler=Log", Invalid + "SocketDaemon:Pipline: no such setting (did you mean Pipeline?)" },
        { "--log-dri", Invalid + "unknown option --log-dri (did you mean --log-dir?)" },
        { "--SocketDeamon:Limits:MaxMessageBytes=5", Invalid + "--SocketDeamon:Limits:MaxMessageBytes: nothing reads the section SocketDeamon; configuration keys are under SocketDaemon or Serilog (did you mean SocketDaemon?)" },
        { "--SocketDaemon:Listeners:unix:Framing=rfc6587", Invalid + "SocketDaemon:Listeners:unix:Framing: 'rfc6587' is not one of auto, seed, lines, octet, http, native, datagram" },
        { "--SocketDaemon:Limits:MaxMessageBytes=64k", Invalid + "SocketDaemon:Limits:MaxMessageBytes: '64k' is not a number of bytes, such as 65536" },
        { "--SocketDaemon:Limits:IdleTimeout=5m", Invalid + "SocketDaemon:Limits:IdleTimeout: '5m' is not a duration hh:mm:ss, such as 00:05:00" },
        { "--SocketDaemon:Listeners:other:Mode=0600", Invalid + "SocketDaemon:Listeners:other: --listen replaces the configured listeners, and made unix; name one of those, or configure this listener without --listen" },
    };

    [Theory]
    [MemberData(nameof(CommandLineMistakes))]
    public async Task A_mistake_on_the_command_line_is_one_line_and_exit_78(string argument, string expected)
    {
        using var directory = new TempDirectory();
        await using var daemon = ChildProcess.StartDaemon(["--listen", "unix:" + directory.Combine("d.sock"), "--log-dir", directory.Combine("logs"), argument]);

        Assert.Equal(78, await daemon.WaitForExitAsync());
        var line = Assert.Single(daemon.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.False(File.Exists(directory.Combine("d.sock")));
    }

    [Fact]
    public async Task A_log_directory_that_cannot_be_created_is_one_line_and_exit_78()
    {
        using var directory = new TempDirectory();
        await using var daemon = ChildProcess.StartDaemon(["--listen", "unix:" + directory.Combine("d.sock"), "--log-dir", "/proc/nope"]);

        Assert.Equal(78, await daemon.WaitForExitAsync());
        var line = Assert.Single(daemon.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(Invalid + "SocketDaemon:LogDirectory: /proc/nope ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JSON_syntax_error_names_the_file_line_and_column()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("bad.json");
        File.WriteAllText(file, "{\n  \"SocketDaemon\": {\n    \"Limits\": { \"MaxMessageBytes\": 1024 },,\n  }\n}\n");
        await using var daemon = ChildProcess.StartDaemon(["--config", file, "--log-dir", directory.Combine("logs")]);

        Assert.Equal(78, await daemon.WaitForExitAsync());
        var line = Assert.Single(daemon.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"{Invalid}{file}: line 3, column 43: ',' is an invalid start of a property name. Expected a '\"'.", line);
    }

    [Fact]
    public async Task A_misspelt_key_in_a_file_names_the_nearest_known_one()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("typo.json");
        File.WriteAllText(file, """{ "SocketDaemon": { "Listeners": { "a": { "Endpoint": "unix:/tmp/x.sock", "ReceiveBuferBytes": 1 } } } }""");
        await using var daemon = ChildProcess.StartDaemon(["--config", file, "--log-dir", directory.Combine("logs")]);

        Assert.Equal(78, await daemon.WaitForExitAsync());
        Assert.Equal(
            Invalid + "SocketDaemon:Listeners:a:ReceiveBuferBytes: no such setting (did you mean ReceiveBufferBytes?)",
            Assert.Single(daemon.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Check_lists_every_problem_and_exits_78_without_listening()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("config.json");
        File.WriteAllText(file, $$"""
            {
              "SocketDaemon": {
                "Listeners": { "tcp": { "Endpoint": "tcp://127.0.0.1:99999" }, "unix": { "Endpoint": "unix:{{directory.Combine("d.sock")}}" } },
                "Limits": { "MaxMesageBytes": 5, "FrameTimeout": "30s" },
                "Pipeline": [ { "Handler": "Forward" }, { "Handler": "Log" } ]
              }
            }
            """);
        await using var check = ChildProcess.StartDaemon(["--check", "--config", file, "--log-dir", directory.Combine("logs")]);

        Assert.Equal(78, await check.WaitForExitAsync());
        string[] expected =
        [
            Invalid + "SocketDaemon:Limits:FrameTimeout: '30s' is not a duration hh:mm:ss, such as 00:05:00",
            Invalid + "SocketDaemon:Limits:MaxMesageBytes: no such setting (did you mean MaxMessageBytes?)",
            Invalid + "SocketDaemon:Listeners:tcp:Endpoint: '99999' is not a TCP port",
            Invalid + "SocketDaemon:Pipeline:0:Upstreams: a Forward step needs at least one upstream, such as tcp://relay:7777",
        ];
        var lines = check.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, lines.Length);
        Assert.All(expected.Zip(lines), pair => Assert.StartsWith(pair.First, pair.Second, StringComparison.Ordinal));
        Assert.False(File.Exists(directory.Combine("d.sock")));
        Assert.False(Directory.Exists(directory.Combine("logs")));
    }

    [Fact]
    public async Task Check_opens_the_Serilog_sections_sinks_and_names_a_misspelt_sink_or_argument()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("config.json");
        File.WriteAllText(file, $$"""
            {
              "SocketDaemon": { "Pipeline": [ { "Handler": "Serilog", "Section": "Serilog:Shipped" }, { "Handler": "Log" } ] },
              "Serilog": {
                "WriteTo": [ { "Name": "File", "Args": { "pathh": "{{directory.Combine("own.log")}}" } } ],
                "Shipped": { "WriteTo": [ { "Name": "Sq", "Args": { "serverUrl": "http://127.0.0.1:5341" } } ] }
              }
            }
            """);
        await using var check = ChildProcess.StartDaemon(["--check", "--config", file, "--listen", "unix:" + directory.Combine("d.sock"), "--log-dir", directory.Combine("logs")]);

        Assert.Equal(78, await check.WaitForExitAsync());
        var lines = check.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(Invalid + "Serilog:WriteTo: the sink File takes no 'pathh' (did you mean path?); its arguments are path, ", lines[0], StringComparison.Ordinal);
        Assert.Equal(Invalid + "Serilog:Shipped: no sink or enricher is called Sq (did you mean Seq?); there are Console, File, Seq, OpenTelemetry", lines[1]);
    }

    [Fact]
    public async Task A_misspelt_Serilog_sink_stops_start_up_rather_than_being_skipped()
    {
        using var directory = new TempDirectory();
        await using var daemon = ChildProcess.StartDaemon(
            ["--listen", "unix:" + directory.Combine("d.sock"), "--log-dir", directory.Combine("logs"), "--Serilog:WriteTo:0:Name=Consol"]);

        Assert.Equal(78, await daemon.WaitForExitAsync());
        Assert.Equal(Invalid + "Serilog: no sink or enricher is called Consol (did you mean Console?); there are Console, File, Seq, OpenTelemetry\n", daemon.StandardError);
    }

    [Fact]
    public async Task Check_of_a_valid_configuration_exits_0_and_writes_nothing()
    {
        using var directory = new TempDirectory();
        await using var check = ChildProcess.StartDaemon(["--check", "--listen", "unix:" + directory.Combine("d.sock"), "--log-dir", directory.Combine("logs")]);

        Assert.Equal(0, await check.WaitForExitAsync());
        Assert.Equal("socketdaemon: the configuration is valid\n", check.StandardOutput);
        Assert.Empty(check.StandardError);
        Assert.False(File.Exists(directory.Combine("d.sock")));
        Assert.False(Directory.Exists(directory.Combine("logs")));
    }

    [Fact]
    public async Task Command_line_keys_for_a_listen_listener_apply_to_it()
    {
        using var directory = new TempDirectory();
        await using var daemon = await DaemonProcess.StartAsync(directory, "--SocketDaemon:Listeners:unix:Mode=0600");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(daemon.SocketPath));
    }

    [Fact]
    public async Task Help_lists_every_endpoint_kind_and_check()
    {
        await using var help = ChildProcess.StartDaemon(["--help"]);

        Assert.Equal(0, await help.WaitForExitAsync());
        foreach (var text in new[] { "unix:/path", "unix:@name", "unixgram:/path", "tcp://host:port", "udp://host:port", "nats://host:port", "systemd:NAME", "--check" })
        {
            Assert.Contains(text, help.StandardOutput, StringComparison.Ordinal);
        }
    }
}
