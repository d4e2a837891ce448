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
        { "SocketDaemon:Commands:Quit:AllowedUids:0", "alice", "SocketDaemon:Commands:Quit:AllowedUids:0: 'alice' is neither a user id nor 'self'" },
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
    public async Task An_unknown_framing_names_its_key()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestDaemon.StartAsync(new Dictionary<string, string?> { ["SocketDaemon:Listeners:tcp:Framing"] = "morse" }));

        Assert.Contains("'SocketDaemon:Listeners:tcp:Framing'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--SocketDaemon:Limits:MaxMessageBytes=0", "socketdaemon: invalid configuration: SocketDaemon:Limits:MaxMessageBytes: 0 is not between 1 and")]
    [InlineData("--SocketDaemon:Listeners:x:Framing=morse", "socketdaemon: invalid configuration: Failed to convert configuration value 'morse' at 'SocketDaemon:Listeners:x:Framing'")]
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
