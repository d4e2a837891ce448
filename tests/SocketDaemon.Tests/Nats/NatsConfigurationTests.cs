using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SocketDaemon.Framing;
using SocketDaemon.Nats;
using SocketDaemon.Pipeline;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Nats;

/// <summary>NATS settings are checked at start, one line naming the key; subjects are made from each message.</summary>
public class NatsConfigurationTests
{
    [Theory]
    [InlineData("SocketDaemon:Listeners:agg:Stream: a nats:// listener needs the JetStream stream to read", "SocketDaemon:Listeners:agg:Endpoint=nats://127.0.0.1:4222", "SocketDaemon:Listeners:agg:Consumer=agg")]
    [InlineData("SocketDaemon:Listeners:agg:Consumer: a nats:// listener needs a durable consumer name", "SocketDaemon:Listeners:agg:Endpoint=nats://127.0.0.1:4222", "SocketDaemon:Listeners:agg:Stream=LOGS", "SocketDaemon:Listeners:agg:Consumer=a.b")]
    [InlineData("SocketDaemon:Pipeline:0:Subject: '{Hostname}' is not a placeholder", "SocketDaemon:Pipeline:0:Handler=Nats", "SocketDaemon:Pipeline:0:Subject=logs.{Hostname}")]
    [InlineData("SocketDaemon:Pipeline:0:Acknowledge: 'never' is neither nats nor local", "SocketDaemon:Pipeline:0:Handler=Nats", "SocketDaemon:Pipeline:0:Acknowledge=never")]
    [InlineData("SocketDaemon:Pipeline:0:Url: 'tcp://127.0.0.1:4222' is not a NATS server URL", "SocketDaemon:Pipeline:0:Handler=Nats", "SocketDaemon:Pipeline:0:Url=tcp://127.0.0.1:4222")]
    [InlineData("SocketDaemon:Nats:Streams:LOGS:Storage: 'tape' is neither file nor memory", "SocketDaemon:Nats:Streams:LOGS:Storage=tape")]
    [InlineData("SocketDaemon:Nats:CredsFile: /nonexistent/user.creds does not exist", "SocketDaemon:Nats:CredsFile=/nonexistent/user.creds")]
    public async Task A_bad_NATS_setting_stops_start_up_naming_its_key(string expected, params string[] settings)
    {
        var configuration = settings.Select(s => s.Split('=', 2)).ToDictionary(s => s[0], s => (string?)s[1]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestDaemon.StartAsync(configuration));

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_subject_template_makes_one_token_per_placeholder_and_its_stream_takes_the_prefix()
    {
        Assert.True(NatsSubjectTemplate.TryParse("logs.{Host}.{Listener}.{Comm}", "edge.example.org", out var template, out _));
        var services = new ServiceCollection().BuildServiceProvider();
        var context = new MessageContext("auth log", 1, PeerInfo.FromCredentials(42, 1000, 1000, "my*app"), services) { Framing = FramingKind.Lines };

        Assert.Equal("logs.edge_example_org.auth_log.my_app", template!.Render(context));
        Assert.Equal("logs.>", template.StreamSubject);
        Assert.Equal("logs.edge_example_org._._", template.Render(new MessageContext(string.Empty, 1, PeerInfo.Unknown, services)));
    }
}
