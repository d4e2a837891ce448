using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL 15 cluster made by the tests in a temporary directory: <c>initdb</c> and <c>pg_ctl</c> run as an
/// unprivileged user (initdb refuses root) with trust authentication, on a free port of 127.0.0.1 and a Unix socket in
/// the directory. Started once for the <see cref="PostgresCluster"/> collection, stopped at its end; a test may stop and start it.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime, IDisposable
{
    public const string Bin = "/usr/lib/postgresql/15/bin";

    private readonly TempDirectory _directory = new();
    private int _tables;

    public int Port { get; } = FreePort();

    public string Data => _directory.Combine("data");

    public string SocketDirectory => _directory.Path;

    /// <summary>Over TCP to 127.0.0.1, as the <c>postgres</c> superuser, to the <c>postgres</c> database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>Why the tests cannot run here, or <see langword="null"/>.</summary>
    public static string? Missing() => File.Exists(Path.Combine(Bin, "initdb")) && File.Exists(Path.Combine(Bin, "pg_ctl"))
        ? null
        : $"!!! SKIPPED: PostgreSQL 15 is not installed ({Bin}/initdb and pg_ctl are missing; apt-get install postgresql-15)";

    /// <summary>A table name no other test uses.</summary>
    public string NewTable() => $"messages_{Interlocked.Increment(ref _tables)}_{Guid.NewGuid().ToString("N")[..6]}";

    public async Task InitializeAsync()
    {
        if (Missing() is not null)
        {
            return;
        }

        // The cluster's owner must own its directory; the socket goes into the same directory.
        await RunAsync("chown", ["nobody:nogroup", _directory.Path]);
        await AsOwnerAsync("initdb", ["-D", Data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        await StartAsync();
    }

    /// <summary>Starts the cluster and waits until it takes connections.</summary>
    public Task StartAsync() => AsOwnerAsync("pg_ctl", ["-D", Data, "-l", _directory.Combine("server.log"), "-w", "-t", "60", "-o", $"-p {Port} -k {SocketDirectory} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]);

    /// <summary>Stops the cluster (fast: open transactions are rolled back, sessions ended).</summary>
    public Task StopAsync() => AsOwnerAsync("pg_ctl", ["-D", Data, "-w", "-t", "60", "-m", "fast", "stop"]);

    /// <summary>Runs <paramref name="sql"/> and reads each row's columns as objects.</summary>
    public async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Runs <paramref name="sql"/> for its effect.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (Missing() is null && File.Exists(Path.Combine(Data, "postmaster.pid")))
        {
            await StopAsync();
        }
    }

    public void Dispose() => _directory.Dispose();

    private static Task AsOwnerAsync(string program, IEnumerable<string> arguments)
    {
        var path = Path.Combine(Bin, program);
        return Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "nobody", "--", path, .. arguments])
            : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string program, IEnumerable<string> arguments)
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(program, arguments, timeout: TimeSpan.FromSeconds(120));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {exitCode}: {output}{error}");
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
