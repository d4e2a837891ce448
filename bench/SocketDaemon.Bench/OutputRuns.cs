using System.Globalization;
using Npgsql;

namespace SocketDaemon.Bench;

/// <summary>
/// The daemon with its pipeline ending in an output step instead of the log: <c>Syslog</c> to the reference C server
/// (a TCP receiver of octet-counted messages), or <c>Postgres</c> to the database of <c>--postgres</c>. A run ends when
/// the daemon's <c>/status</c> says the Syslog step wrote every message to its connection (what the step can know: the C
/// server writes its file in 64 KiB pieces), or when the Postgres table's progress row says every row is committed.
/// </summary>
public sealed partial class Servers
{
    private async Task<RunningServer?> StartDaemonWithSyslogAsync(string dir, Scenario s, CancellationToken token)
    {
        await CompileCServerAsync(token);
        var sink = Start(_cServer!, ["tcp", "0", "octet", Path.Combine(dir, "out.log")], dir);
        var ready = (await WaitForLinesAsync(sink, [ReadyRegex()], token))[0];
        var step = $$"""{ "Handler": "Syslog", "Upstreams": [ "tcp://127.0.0.1:{{ready.Groups[1].Value}}" ], "Format": "rfc5424", "Framing": "octet" }""";
        var server = await StartDaemonWithStepAsync(dir, s, step, token);
        var status = server.Endpoint;
        var last = 0L;
        var asked = 0L;
        return new RunningServer(server.Process, server.Endpoint, dir, "out.log") { Sink = sink, Count = Sent };

        long Sent()
        {
            if (Environment.TickCount64 - asked < 50)
            {
                return last;
            }

            asked = Environment.TickCount64;
            var endpoint = SocketDaemon.Client.SocketEndpoint.Parse(status);
            using var client = new System.Net.Sockets.Socket(endpoint.EndPoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            client.Connect(endpoint.EndPoint);
            client.Send("GET /status HTTP/1.0\r\n\r\n"u8);
            using var stream = new System.Net.Sockets.NetworkStream(client);
            using var reader = new StreamReader(stream);
            var reply = reader.ReadToEnd();
            var body = reply[(reply.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
            using var json = System.Text.Json.JsonDocument.Parse(body);
            last = json.RootElement.GetProperty("forwards")[0].GetProperty("forwarded").GetInt64();
            return last;
        }
    }

    private async Task<RunningServer?> StartDaemonWithPostgresAsync(string dir, Scenario s, CancellationToken token)
    {
        var table = $"bench_{DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}_{_run}";
        var connection = options.Postgres!;
        var step = $$"""{ "Handler": "Postgres", "ConnectionString": "{{connection.Replace("\"", "\\\"", StringComparison.Ordinal)}}", "Table": "{{table}}" }""";
        var server = await StartDaemonWithStepAsync(dir, s, step, token);
        var dataSource = NpgsqlDataSource.Create(connection);
        var last = 0L;
        var asked = 0L;

        // The progress table holds the last spool record committed: the message count, read without scanning the rows.
        return new RunningServer(server.Process, server.Endpoint, dir, "none") { Count = Committed };

        long Committed()
        {
            if (Environment.TickCount64 - asked < 50)
            {
                return last;
            }

            asked = Environment.TickCount64;
            try
            {
                using var command = dataSource.CreateCommand($"SELECT sequence FROM \"{table}_progress\"");
                last = command.ExecuteScalar() is long sequence ? sequence : 0;
            }
            catch (PostgresException)
            {
                // Not created yet.
            }

            return last;
        }
    }

    private async Task<RunningServer> StartDaemonWithStepAsync(string dir, Scenario s, string step, CancellationToken token)
    {
        var logs = Path.Combine(dir, "logs");
        Directory.CreateDirectory(logs);
        var listen = s.Transport == "unix" ? $"unix:{Path.Combine(dir, "d.sock")}" : "tcp://127.0.0.1:0";
        var parse = s.Framing == "syslog-json" ? """{ "Handler": "Parse", "Format": "syslog" }, """ : string.Empty;
        var config = Path.Combine(dir, "output.json");
        await File.WriteAllTextAsync(config, $$"""
            { "SocketDaemon": { "StateDirectory": "{{Path.Combine(dir, "state")}}", "Pipeline": [ {{parse}}{{step}} ] } }
            """, token);
        var process = Start(daemon, ["--listen", listen, "--log-dir", logs, "--config", config], dir);
        var endpoint = (await WaitForLinesAsync(process, [BoundRegex(), StartedRegex()], token))[0];
        return new RunningServer(process, endpoint.Groups[1].Value, logs, "messages*.log");
    }
}
