using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketDaemon.Client;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Sinks;

/// <summary>
/// The <c>Serilog</c> configuration section adds sinks with no code: to the operational log, and, through a
/// <c>Serilog</c> pipeline step, to the messages (here a second file, and Seq's ingestion API served in-test).
/// </summary>
public class ConfiguredSinksTests
{
    [Fact]
    public async Task A_Serilog_step_writes_every_message_to_the_sinks_of_its_section_and_the_Log_step_still_writes_the_file()
    {
        using var temp = new TempDirectory();
        var copy = temp.Combine("copy.log");
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Commands",
            ["SocketDaemon:Pipeline:1:Handler"] = "Serilog",
            ["SocketDaemon:Pipeline:2:Handler"] = "Log",
            ["Serilog:Messages:WriteTo:0:Name"] = "File",
            ["Serilog:Messages:WriteTo:0:Args:path"] = copy,
            ["Serilog:Messages:WriteTo:0:Args:outputTemplate"] = "{Listener} {Text}{NewLine}",
        });
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix);

        await client.SendManyAsync(["first", "second"]);

        Assert.Equal(["first", "second"], daemon.Log.Texts());
        await Wait.UntilAsync(() => File.Exists(copy) && MessageLog.ReadShared(copy).Contains("unix second", StringComparison.Ordinal), "the second file sink to have the messages");
        Assert.Equal("unix first\nunix second\n", MessageLog.ReadShared(copy));
    }

    [Fact]
    public async Task A_Seq_sink_named_in_configuration_receives_the_messages_with_their_properties()
    {
        using var seq = new HttpListener();
        var port = FreePort();
        seq.Prefixes.Add($"http://127.0.0.1:{port}/");
        seq.Start();
        var received = new StringBuilder();
        var serving = Task.Run(async () =>
        {
            while (seq.IsListening)
            {
                HttpListenerContext request;
                try
                {
                    request = await seq.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using (var reader = new StreamReader(request.Request.InputStream, Encoding.UTF8))
                {
                    var body = await reader.ReadToEndAsync();
                    lock (received)
                    {
                        received.Append(request.Request.Url!.AbsolutePath).Append(' ').Append(body);
                    }
                }

                request.Response.StatusCode = 201;
                request.Response.Close();
            }
        });

        await using (var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Serilog",
            ["SocketDaemon:Pipeline:0:Section"] = "Serilog:Seq",
            ["SocketDaemon:Pipeline:1:Handler"] = "Log",
            ["Serilog:Seq:WriteTo:0:Name"] = "Seq",
            ["Serilog:Seq:WriteTo:0:Args:serverUrl"] = $"http://127.0.0.1:{port}",
            ["Serilog:Seq:WriteTo:0:Args:period"] = "00:00:00.100",
        }))
        {
            await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix);
            await client.SendAsync("to seq");
            await Wait.UntilAsync(() => Received().Contains("to seq", StringComparison.Ordinal), "Seq to receive the message");
        }

        Assert.StartsWith("/api/events/raw {", Received(), StringComparison.Ordinal); // Seq's ingestion API, CLEF
        Assert.Contains("\"Listener\":\"unix\"", Received(), StringComparison.Ordinal);
        seq.Stop();
        await serving;

        string Received()
        {
            lock (received)
            {
                return received.ToString();
            }
        }
    }

    [Fact]
    public async Task The_Serilog_section_adds_sinks_to_the_operational_log()
    {
        using var temp = new TempDirectory();
        var operational = temp.Combine("operational.log");
        await using var daemon = await TestDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = operational,
        });

        await Wait.UntilAsync(() => File.Exists(operational) && MessageLog.ReadShared(operational).Contains("Listener unix bound to", StringComparison.Ordinal), "the daemon's own log in the configured sink");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
