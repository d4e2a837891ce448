using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Client;
using SocketDaemon.SyslogOutput;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Tests.SyslogOutput;

/// <summary>A collector that cannot be reached shows in the step's <c>failed</c> count, as its messages wait in the spool.</summary>
public class SyslogConnectionFailureTests
{
    [Fact]
    public async Task A_refused_connection_to_the_collector_counts_as_failed_while_the_message_waits_in_the_spool()
    {
        // A port nothing listens on: bound and closed again, so each connect is refused.
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var daemon = await TestDaemon.StartAsync(SyslogCollectorTests.SyslogStep($"tcp://127.0.0.1:{port}", "octet", "rfc5424", acknowledge: "local"));
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix);

        await client.SendManyAsync(["waits"]);

        var counters = daemon.Host.Services.GetRequiredService<SocketDaemonMetrics>().Outputs.Single(o => o.Output == "syslog");
        await Wait.UntilAsync(() => counters.Failed >= 1, "a failed connection counted");
        var status = daemon.Host.Services.GetRequiredService<SyslogOutputs>().Running[0].GetStatus();
        Assert.Equal(1, status.Pending);
        Assert.Equal(0, status.UpstreamsConnected);
        var metrics = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/metrics")).Body;
        Assert.Matches($"socketdaemon_output_failed_total\\{{output=\"syslog\",name=\"{System.Text.RegularExpressions.Regex.Escape(status.Spool)}\"\\}} [1-9]", metrics);
    }
}
