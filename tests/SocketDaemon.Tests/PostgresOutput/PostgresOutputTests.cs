using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SocketDaemon.Cli;
using SocketDaemon.Client;
using SocketDaemon.PostgresOutput;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.PostgresOutput;

/// <summary>
/// The Postgres output against a real PostgreSQL 15 (<see cref="PostgresServer"/>): rows checked with SQL, column by
/// column, in order and each once, across a server stop mid-stream, with a row a constraint refuses, and with the
/// native client's acknowledgement after the commit.
/// </summary>
[Collection(PostgresCluster.Name)]
public class PostgresOutputTests(PostgresServer server)
{
    private static readonly string Comm = File.ReadAllText("/proc/self/comm").Trim();

    [PostgresFact]
    public async Task Each_message_is_one_row_with_every_column_in_order_in_a_table_created_when_missing()
    {
        var table = server.NewTable();
        Assert.Null((await server.QueryAsync($"SELECT to_regclass('{table}')"))[0][0]);
        var settings = new Dictionary<string, string?>
        {
            ["SocketDaemon:Pipeline:0:Handler"] = "Parse",
            ["SocketDaemon:Pipeline:0:Format"] = "auto",
        };
        foreach (var (key, value) in PostgresStep(table))
        {
            settings[key.Replace(":Pipeline:0:", ":Pipeline:1:", StringComparison.Ordinal)] = value;
        }

        await using var daemon = await TestDaemon.StartAsync(settings);
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix);
        const string Sd = "[exampleSDID@32473 iut=\"3\" eventSource=\"Ap\\\"p\\]lication\"][origin ip=\"192.0.2.1\"]";
        var before = DateTimeOffset.UtcNow;
        await client.SendManyAsync([
            $"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 42 ID47 {Sd} An application event",
            "<34>Oct  1 22:14:15 mymachine su[77]: 'su root' failed",
            "plain text, no header",
            "{\"message\":\"from json\",\"level\":\"info\"}",
        ]);
        await client.SendAsync(new byte[] { (byte)'b', 0xff, (byte)'a', 0, (byte)'d' });
        await client.WaitUntilDeliveredAsync();
        var after = DateTimeOffset.UtcNow;

        // Acknowledged means committed: the rows are there as soon as the client heard back.
        var rows = await server.QueryAsync($"""
            SELECT received, listener, peer_pid, peer_uid, peer_gid, peer_comm, peer_address, facility, severity, "timestamp",
                   hostname, appname, procid, msgid, sd::text, message, raw, json::text, parse_error, truncated
            FROM "{table}" ORDER BY id
            """);
        Assert.Equal(5, rows.Count);
        foreach (var row in rows)
        {
            var received = (DateTime)row[0]!;
            Assert.InRange(received, before.UtcDateTime.AddMilliseconds(-1), after.UtcDateTime.AddMilliseconds(1));
            Assert.Equal(["unix", Environment.ProcessId, Credential("Uid"), Credential("Gid"), Comm, null], row[1..7]);
            Assert.False((bool)row[19]!);
        }

        Assert.Equal([(short)20, (short)5, "2003-10-11T22:14:15.003Z", "mymachine.example.com", "evntslog", "42", "ID47"], rows[0][7..14]);
        Assert.Equal("{\"origin\": {\"ip\": \"192.0.2.1\"}, \"exampleSDID@32473\": {\"iut\": \"3\", \"eventSource\": \"Ap\\\"p]lication\"}}", rows[0][14]);
        Assert.Equal(["An application event", null, null, false], rows[0][15..19]);
        Assert.Equal([(short)4, (short)2, "Oct  1 22:14:15", "mymachine", "su", "77", null, null, "'su root' failed", null, null, false], rows[1][7..19]);
        Assert.Equal([null, null, null, null, null, null, null, null, "plain text, no header", null, null, false], rows[2][7..19]);
        Assert.Equal("from json", rows[3][15]);
        Assert.Equal("{\"level\": \"info\", \"message\": \"from json\"}", rows[3][17]);

        // Not valid UTF-8, with a NUL: the text has U+FFFD in their place, raw the bytes exactly.
        Assert.Equal("b\uFFFDa\uFFFDd", rows[4][15]);
        Assert.Equal(new byte[] { (byte)'b', 0xff, (byte)'a', 0, (byte)'d' }, rows[4][16]);

        // The BRIN index on received time.
        var index = await server.QueryAsync($"SELECT indexdef FROM pg_indexes WHERE tablename = '{table}' AND indexdef LIKE '%brin%'");
        Assert.Single(index);
    }

    [PostgresFact]
    public async Task A_database_stopped_mid_stream_gets_every_message_once_in_order_from_the_spool()
    {
        var table = server.NewTable();
        await using var daemon = await TestDaemon.StartAsync(PostgresStep(table, acknowledge: "local"));
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { BatchMessages = 50 });
        var handler = daemon.Host.Services.GetRequiredService<PostgresOutputs>().Running[0];

        await client.SendManyAsync(Messages("before", 300));
        await Wait.UntilAsync(() => handler.GetStatus().Forwarded == 300, "300 rows committed");
        await server.StopAsync();
        try
        {
            // The database is down: messages wait in the spool, and /healthz and /status say why.
            await client.SendManyAsync(Messages("during", 300));
            Assert.Equal(300, handler.GetStatus().Pending);
            await Wait.UntilAsync(() => handler.Problem is not null, "the writer to notice the database is down");
            var health = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/healthz"));
            Assert.Equal(503, health.Status);
            Assert.Contains("300 messages wait in", health.Body, StringComparison.Ordinal);
            var status = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/status")).Body;
            Assert.Contains("\"Problem\":", status, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await server.StartAsync();
        }

        await client.SendManyAsync(Messages("after", 300));
        await Wait.UntilAsync(() => handler.GetStatus().Pending == 0, "the spool to drain", TimeSpan.FromSeconds(60));
        var texts = (await server.QueryAsync($"SELECT message FROM \"{table}\" ORDER BY id")).Select(r => (string)r[0]!);
        Assert.Equal([.. Messages("before", 300), .. Messages("during", 300), .. Messages("after", 300)], texts);
        Assert.Equal(200, HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/healthz")).Status);
    }

    [PostgresFact]
    public async Task A_row_a_constraint_refuses_is_dropped_and_counted_and_the_rows_after_it_are_written()
    {
        var table = server.NewTable();
        Assert.True(PostgresTableName.TryParse(table, out var name, out _));
        await server.ExecuteAsync(PostgresTable.Create(name));
        await server.ExecuteAsync($"ALTER TABLE \"{table}\" ADD CONSTRAINT no_bad CHECK (message NOT LIKE 'bad%')");
        await using var daemon = await TestDaemon.StartAsync(PostgresStep(table));
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { BatchMessages = 100 });
        var messages = Enumerable.Range(0, 100).Select(i => i is 7 or 50 or 99 ? $"bad {i}" : $"good {i}").ToList();

        await client.SendManyAsync(messages);
        await client.SendManyAsync(["later 1", "later 2"]);

        var texts = (await server.QueryAsync($"SELECT message FROM \"{table}\" ORDER BY id")).Select(r => (string)r[0]!);
        Assert.Equal([.. messages.Where(m => m.StartsWith("good", StringComparison.Ordinal)), "later 1", "later 2"], texts);
        var status = daemon.Host.Services.GetRequiredService<PostgresOutputs>().Running[0].GetStatus();
        Assert.Equal(3, status.Failed);
        Assert.Equal(99, status.Forwarded);
        Assert.Equal(0, status.Pending);

        // socketctl status and /metrics show the step and its refused rows.
        var text = new StringWriter();
        Assert.Equal(0, await SocketCtl.CreateRootCommand(TextReader.Null).Parse(["status", "-e", daemon.Unix.ToString()]).InvokeAsync(new() { Output = text }));
        Assert.Contains($"postgres {status.Spool}: sent 99, spooled 102, failed 3, pending 0, 1/1 connected (postgres://127.0.0.1:{server.Port}/postgres/{table})", text.ToString(), StringComparison.Ordinal);
        var metrics = HttpExchange.Parse(await HttpExchange.GetAsync(daemon.Tcp, "/metrics")).Body;
        Assert.Contains($"socketdaemon_output_failed_total{{output=\"postgres\",name=\"{status.Spool}\"}} 3", metrics, StringComparison.Ordinal);
        Assert.Contains($"socketdaemon_output_spooled_total{{output=\"postgres\",name=\"{status.Spool}\"}} 102", metrics, StringComparison.Ordinal);
        Assert.Contains($"socketdaemon_forward_upstreams_connected{{spool=\"{status.Spool}\"}} 1", metrics, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_native_batch_is_acknowledged_only_after_its_rows_are_committed()
    {
        var table = server.NewTable();
        await using var daemon = await TestDaemon.StartAsync(PostgresStep(table));
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix, new SocketDaemonClientOptions { BatchMessages = 20 });
        var handler = daemon.Host.Services.GetRequiredService<PostgresOutputs>().Running[0];
        await client.SendManyAsync(["first"]);
        await server.StopAsync();
        Task sending;
        try
        {
            sending = client.SendManyAsync(Messages("waiting", 20));
            await Wait.UntilAsync(() => handler.GetStatus().Pending == 20, "the batch in the spool");

            // In the spool but not in the database: the client has not heard back.
            Assert.False(sending.IsCompleted);
        }
        finally
        {
            await server.StartAsync();
        }

        await sending;
        var count = await server.QueryAsync($"SELECT count(*) FROM \"{table}\"");
        Assert.Equal(21L, count[0][0]);
    }

    [PostgresFact]
    public async Task With_Final_false_a_message_is_a_row_and_goes_on_to_the_log()
    {
        var table = server.NewTable();
        var settings = PostgresStep(table);
        settings["SocketDaemon:Pipeline:0:Match"] = "^copy";
        settings["SocketDaemon:Pipeline:0:Final"] = "false";
        settings["SocketDaemon:Pipeline:1:Handler"] = "Log";
        await using var daemon = await TestDaemon.StartAsync(settings);
        await using var client = await SocketDaemonClient.ConnectAsync(daemon.Unix);

        await client.SendManyAsync(["copy 1", "local only", "copy 2"]);

        Assert.Equal(["copy 1", "local only", "copy 2"], daemon.Log.Texts());
        var texts = (await server.QueryAsync($"SELECT message FROM \"{table}\" ORDER BY id")).Select(r => (string)r[0]!);
        Assert.Equal(["copy 1", "copy 2"], texts);
    }

    [Theory]
    [InlineData("SocketDaemon:Pipeline:0:ConnectionString: not a valid Npgsql connection string", "ConnectionString", "Hots=db;Database=logs")]
    [InlineData("SocketDaemon:Pipeline:0:ConnectionString: the connection string names no Host", "ConnectionString", "Database=logs")]
    [InlineData("SocketDaemon:Pipeline:0:Table: 'a.b.c' is not a table name", "Table", "a.b.c")]
    public async Task A_bad_Postgres_setting_stops_start_up_naming_its_key(string expected, string key, string value)
    {
        var settings = PostgresStep("messages");
        settings["SocketDaemon:Pipeline:0:ConnectionString"] = "Host=127.0.0.1;Database=logs";
        settings[$"SocketDaemon:Pipeline:0:{key}"] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestDaemon.StartAsync(settings));

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_table_name_is_always_quoted_so_no_name_ends_the_identifier()
    {
        Assert.True(PostgresTableName.TryParse("logs.Messages\"; DROP TABLE x; --", out var table, out _));
        Assert.Equal("\"logs\".\"Messages\"\"; DROP TABLE x; --\"", table.Quoted);
        Assert.StartsWith("COPY \"logs\".\"Messages\"\"; DROP TABLE x; --\" (received,", PostgresTable.Copy(table), StringComparison.Ordinal);
        Assert.False(PostgresTableName.TryParse(new string('x', 64), out _, out _));
        Assert.False(PostgresTableName.TryParse("a..b", out _, out _));
    }

    private static IEnumerable<string> Messages(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix} {i}");

    private Dictionary<string, string?> PostgresStep(string table, string acknowledge = "downstream") => new()
    {
        ["SocketDaemon:Pipeline:0:Handler"] = "Postgres",
        ["SocketDaemon:Pipeline:0:ConnectionString"] = server.ConnectionString,
        ["SocketDaemon:Pipeline:0:Table"] = table,
        ["SocketDaemon:Pipeline:0:Acknowledge"] = acknowledge,
    };

    // The effective id, the second of /proc/self/status's "Uid:" and "Gid:" lines: what SO_PEERCRED reports.
    private static long Credential(string name) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
}
