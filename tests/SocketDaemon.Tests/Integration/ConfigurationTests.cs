using Microsoft.Extensions.Options;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>A bad value stops start-up with one line that names its key.</summary>
public class ConfigurationTests
{
    public static TheoryData<string, string, string> BadValues => new()
    {
        { "SocketDaemon:Listeners:tcp:Endpoint", "http://127.0.0.1:80", "SocketDaemon:Listeners:tcp:Endpoint: 'http://127.0.0.1:80' is not an endpoint" },
        { "SocketDaemon:Listeners:tcp:Endpoint", "tcp://127.0.0.1:99999", "SocketDaemon:Listeners:tcp:Endpoint: '99999' is not a TCP port" },
        { "SocketDaemon:Listeners:unix:Mode", "0999", "SocketDaemon:Listeners:unix:Mode: '0999' is not an octal file mode" },
        { "SocketDaemon:Listeners:unix:Backlog", "0", "SocketDaemon:Listeners:unix:Backlog: 0 is not a positive number" },
        { "SocketDaemon:Limits:MaxMessageBytes", "0", "SocketDaemon:Limits:MaxMessageBytes: 0 is not between 1 and" },
        { "SocketDaemon:Limits:FrameTimeout", "-00:00:01", "SocketDaemon:Limits:FrameTimeout: -00:00:01 is not a positive duration" },
        { "SocketDaemon:Limits:MaxConnectionsPerPeer", "0", "SocketDaemon:Limits:MaxConnectionsPerPeer: 0 is not a positive number" },
        { "SocketDaemon:Listeners:tcp:MaxConnections", "-1", "SocketDaemon:Listeners:tcp:MaxConnections: -1 is not a positive number" },
        { "SocketDaemon:Listeners:unix:IdleTimeout", "00:00:00", "SocketDaemon:Listeners:unix:IdleTimeout: 00:00:00 is not a positive duration" },
        { "SocketDaemon:Limits:MaxConnectionAge", "-00:00:01", "SocketDaemon:Limits:MaxConnectionAge: -00:00:01 is not a positive duration" },
        { "SocketDaemon:Limits:MinDataRate:BytesPerSecond", "0", "SocketDaemon:Limits:MinDataRate:BytesPerSecond: 0 is not a positive number" },
        { "SocketDaemon:Listeners:tcp:RateLimit:MessagesPerSecond", "0", "SocketDaemon:Listeners:tcp:RateLimit:MessagesPerSecond: 0 is not a positive number" },
        { "SocketDaemon:Limits:RateLimit:Burst", "0", "SocketDaemon:Limits:RateLimit:Burst: 0 is not a positive number" },
        { "SocketDaemon:Commands:Quit:AllowedUids:0", "no-such-user-x", "SocketDaemon:Commands:Quit:AllowedUids:0: 'no-such-user-x' is not 'self', a user id or a user on this system" },
        { "SocketDaemon:Listeners:tcp:Framing", "rfc6587", "SocketDaemon:Listeners:tcp:Framing: 'rfc6587' is not one of auto, seed, lines, octet, http, native, datagram" },
        { "SocketDaemon:Limits:MaxMessageBytes", "64k", "SocketDaemon:Limits:MaxMessageBytes: '64k' is not a number of bytes, such as 65536" },
        { "SocketDaemon:Limits:IdleTimeout", "5m", "SocketDaemon:Limits:IdleTimeout: '5m' is not a duration hh:mm:ss, such as 00:05:00" },
        { "SocketDaemon:Listeners:unix:AllowQuit", "yes", "SocketDaemon:Listeners:unix:AllowQuit: 'yes' is neither true nor false" },
        { "SocketDaemon:MaxMesageBytes", "1024", "SocketDaemon:MaxMesageBytes: no such setting (did you mean Limits:MaxMessageBytes?)" },
        { "SocketDaemon:Pipline:0:Handler", "Log", "SocketDaemon:Pipline: no such setting (did you mean Pipeline?)" },
        { "SocketDaemon:Listeners:tcp:Framming", "lines", "SocketDaemon:Listeners:tcp:Framming: no such setting (did you mean Framing?)" },
        { "SocketDaemon:Pipeline:0:Handler", "Exec", "SocketDaemon:Pipeline:0:Command: an Exec step needs the program to run" },
        { "SocketDaemon:Pipeline:0:Handler", "Nope", "SocketDaemon:Pipeline:0:Handler: 'Nope' is not a handler" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task A_bad_value_stops_start_up_naming_its_key(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestDaemon.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_framing_names_its_key_and_the_valid_values()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:tcp:Framing"] = "morse" }));

        Assert.Equal(["SocketDaemon:Listeners:tcp:Framing: 'morse' is not one of auto, seed, lines, octet, http, native, datagram, nul"], error.Failures);
    }

    [Fact]
    public async Task A_step_key_of_another_handler_is_refused_with_the_handlers_own_keys()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Filter",
            ["SocketDaemon:Pipeline:0:Match"] = "^DEBUG",
            ["SocketDaemon:Pipeline:0:Path"] = "debug.log",
            ["SocketDaemon:Pipeline:1:Handler"] = "Log",
        }));

        Assert.Equal(["SocketDaemon:Pipeline:0:Path: no such setting"], error.Failures);
    }

    [Fact]
    public async Task Quit_takes_user_names_as_AllowUids_does()
    {
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Commands:Quit:AllowedUids:0"] = "root" });

        Assert.Contains(0u, SocketDaemon.Pipeline.Handlers.CommandsMiddleware.GetAllowedUids(new SocketDaemon.Pipeline.Handlers.QuitCommandOptions { AllowedUids = ["root"] }));
    }

    [Theory]
    [InlineData("--SocketDaemon:Limits:MaxMessageBytes=0", "socketdaemon: invalid configuration: SocketDaemon:Limits:MaxMessageBytes: 0 is not between 1 and")]
    [InlineData("--SocketDaemon:Listeners:unix:Framing=morse", "socketdaemon: invalid configuration: SocketDaemon:Listeners:unix:Framing: 'morse' is not one of auto, seed, lines, octet, http, native, datagram")]
    public async Task The_executable_prints_one_line_and_exits_with_EX_CONFIG(string argument, string expected)
    {
        using var directory = new TempDirectory();
        await using var daemon = ChildProcess.StartDaemon(["--log-dir", directory.Path, "--listen", "unix:" + directory.Combine("d.sock"), argument]);

        Assert.Equal(78, await daemon.WaitForExitAsync());
        var line = Assert.Single(daemon.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_config_file_is_an_error()
    {
        await using var daemon = ChildProcess.StartDaemon(["--config", "/nonexistent/socketdaemon.json"]);

        Assert.Equal(78, await daemon.WaitForExitAsync());
        Assert.Contains("/nonexistent/socketdaemon.json", daemon.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_and_version_answer_without_starting()
    {
        await using var help = ChildProcess.StartDaemon(["--help"]);
        await using var version = ChildProcess.StartDaemon(["--version"]);

        Assert.Equal(0, await help.WaitForExitAsync());
        Assert.Equal(0, await version.WaitForExitAsync());
        Assert.Contains("--listen", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("--log-dir", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("--config", help.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.StandardOutput);
    }
}
