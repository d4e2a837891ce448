using Serilog.Events;
using Serilog.Parsing;
using SocketDaemon.Hosting.Logging;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Configuration;

/// <summary>Under systemd the operational log reaches the journal at the right priority, without a timestamp of its own.</summary>
public class JournalLogTests
{
    [Theory]
    [InlineData(LogEventLevel.Fatal, "<2>")]
    [InlineData(LogEventLevel.Error, "<3>")]
    [InlineData(LogEventLevel.Warning, "<4>")]
    [InlineData(LogEventLevel.Information, "<6>")]
    [InlineData(LogEventLevel.Debug, "<7>")]
    public void Each_line_starts_with_the_sd_daemon_priority_of_its_level(LogEventLevel level, string prefix)
    {
        var output = new StringWriter();
        var template = new MessageTemplateParser().Parse("Listener {Name} stopped");
        var exception = new InvalidOperationException("first\nsecond");
        new JournalFormatter().Format(new LogEvent(DateTimeOffset.Now, level, exception, template, [new LogEventProperty("Name", new ScalarValue("tcp"))]), output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(prefix + "Listener tcp stopped", lines[0]);
        Assert.True(lines.Length > 2);
        Assert.All(lines, line => Assert.StartsWith(prefix, line, StringComparison.Ordinal));
    }

    [Fact]
    public void Neither_stream_is_the_journal_when_the_variable_names_another()
    {
        Assert.Null(JournalStream.Find(null));
        Assert.Null(JournalStream.Find("1:1"));
        Assert.Null(JournalStream.Find("not-a-stream"));
    }

    [Fact]
    public async Task A_daemon_whose_stderr_is_the_journal_logs_warnings_at_priority_4_and_errors_at_3()
    {
        using var directory = new TempDirectory();
        var config = directory.Combine("config.json");
        WriteConfig(config, directory.Combine("a.sock"), maxMessageBytes: 1024);

        // JOURNAL_STREAM names the daemon's own stderr, as systemd sets it when StandardError=journal.
        var daemonDll = Path.Combine(AppContext.BaseDirectory, "socketdaemon.dll");
        await using var daemon = ChildProcess.Start(
            "sh",
            ["-c", "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec dotnet \"$0\" --config \"$1\" --log-dir \"$2\"", daemonDll, config, directory.Combine("logs")]);
        await Wait.UntilAsync(() => daemon.StandardError.Contains("<6>Application started", StringComparison.Ordinal) || daemon.HasExited, "the daemon to start");

        // A listener moved: a warning. Then a limit out of range: the reload is refused, an error.
        WriteConfig(config, directory.Combine("b.sock"), maxMessageBytes: 1024);
        daemon.Signal(ChildProcess.SIGHUP);
        await Wait.UntilAsync(() => daemon.StandardError.Contains("<4>Reload: the listeners changed", StringComparison.Ordinal) || daemon.HasExited, "the warning");
        WriteConfig(config, directory.Combine("b.sock"), maxMessageBytes: 0);
        daemon.Signal(ChildProcess.SIGHUP);
        await Wait.UntilAsync(() => daemon.StandardError.Contains("<3>Reload refused", StringComparison.Ordinal) || daemon.HasExited, "the error");

        var lines = daemon.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("<4>Reload: the listeners changed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("<3>Reload refused, the running configuration stays: SocketDaemon:Limits:MaxMessageBytes", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Matches(@"^<[2-7]>[^\[]", l));
        Assert.DoesNotContain("Application started", daemon.StandardOutput, StringComparison.Ordinal);
    }

    private static void WriteConfig(string path, string socket, int maxMessageBytes) =>
        File.WriteAllText(path, $$"""
            { "SocketDaemon": { "Listeners": { "a": { "Endpoint": "unix:{{socket}}" } }, "Limits": { "MaxMessageBytes": {{maxMessageBytes}} } } }
            """);
}
