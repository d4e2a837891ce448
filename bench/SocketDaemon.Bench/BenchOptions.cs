using System.Globalization;

namespace SocketDaemon.Bench;

/// <summary>The command line of the load tool.</summary>
public sealed class BenchOptions
{
    public const string Usage = """
        usage: SocketDaemon.Bench [--connections 4] [--messages 1000000] [--size 64]
                                  [--framing lines|seed|octet|native|syslog-json[,...]] [--transport unix|tcp[,...]]
                                  [--reference c,rsyslog,syslog-ng] [--out DIR] [--daemon PATH/socketdaemon]
                                  [--outputs syslog,postgres (the daemon again, ending its pipeline in that output)]
                                  [--postgres CONNECTION-STRING (for --outputs postgres: a database the runs may create tables in)]
                                  [--timeout SECONDS (per run, default 300)] [--rsyslogd PATH] [--keep]
                                  [--scale [--idle-connections 10000] (start to READY=1, idle RSS, RSS with idle connections)]
                                  [--smoke (2 x 1,000 messages, lines and native over unix, against c; what CI runs)]
        """;

    public int Connections { get; private set; } = 4;

    public int Messages { get; private set; } = 1_000_000;

    public int Size { get; private set; } = 64;

    public IReadOnlyList<string> Framings { get; private set; } = ["lines"];

    public IReadOnlyList<string> Transports { get; private set; } = ["unix"];

    public IReadOnlyList<string> References { get; private set; } = ["c"];

    public string Out { get; private set; } = "bench-results";

    /// <summary>Output steps measured as extra daemon runs: <c>syslog</c> (to a local TCP receiver), <c>postgres</c>.</summary>
    public IReadOnlyList<string> Outputs { get; private set; } = [];

    /// <summary>The Npgsql connection string of the database <c>--outputs postgres</c> writes to.</summary>
    public string? Postgres { get; private set; }

    public string? Daemon { get; private set; }

    public string? Rsyslogd { get; private set; }

    /// <summary>Bound on one run: from starting the server until every message is in its file.</summary>
    public TimeSpan RunTimeout { get; private set; } = TimeSpan.FromSeconds(300);

    public TimeSpan TotalTimeout => RunTimeout * (1 + References.Count + Outputs.Count) * Framings.Count * Transports.Count + TimeSpan.FromMinutes(5);

    public bool Keep { get; private set; }

    /// <summary>Measure the scale targets instead of throughput.</summary>
    public bool Scale { get; private set; }

    public int IdleConnections { get; private set; } = 10_000;

    public static BenchOptions? Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            static string[] List(string v) => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            switch (args[i])
            {
                case "--connections" or "-c":
                    o.Connections = int.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--messages" or "-m":
                    o.Messages = int.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--size" or "-s":
                    o.Size = int.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--framing" or "-f":
                    o.Framings = List(Next());
                    break;
                case "--transport" or "-t":
                    o.Transports = List(Next());
                    break;
                case "--reference" or "-r":
                    o.References = List(Next()).Where(r => r != "none").ToArray();
                    break;
                case "--outputs":
                    o.Outputs = List(Next());
                    break;
                case "--postgres":
                    o.Postgres = Next();
                    break;
                case "--out" or "-o":
                    o.Out = Next();
                    break;
                case "--daemon":
                    o.Daemon = Path.GetFullPath(Next());
                    break;
                case "--rsyslogd":
                    o.Rsyslogd = Path.GetFullPath(Next());
                    break;
                case "--timeout":
                    o.RunTimeout = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture));
                    break;
                case "--scale":
                    o.Scale = true;
                    break;
                case "--idle-connections":
                    o.IdleConnections = int.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--smoke":
                    // A few seconds end to end, so that CI keeps the tool working; the numbers mean nothing.
                    o.Connections = 2;
                    o.Messages = 2000;
                    o.Framings = ["lines", "native"];
                    o.Transports = ["unix"];
                    o.References = ["c"];
                    o.RunTimeout = TimeSpan.FromSeconds(60);
                    break;
                case "--keep":
                    o.Keep = true;
                    break;
                default:
                    return null;
            }
        }

        // syslog-json: octet-framed RFC 5424 messages, parsed and written as JSON lines by every server.
        string[] framings = ["lines", "seed", "octet", "native", "syslog-json"];
        string[] transports = ["unix", "tcp"];
        string[] references = ["c", "rsyslog", "syslog-ng"];
        if (o.Connections < 1 || o.Messages < o.Connections || o.Size < 1
            || o.Framings.Any(f => !framings.Contains(f)) || o.Transports.Any(t => !transports.Contains(t))
            || o.References.Any(r => !references.Contains(r)) || o.Outputs.Any(r => r is not ("syslog" or "postgres")))
        {
            return null;
        }

        return o;
    }
}

/// <summary>One framing and transport, with the load.</summary>
public sealed record Scenario(string Framing, string Transport, int Connections, int Messages, int Size)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Framing} over {Transport}: {Messages} x {Size} B over {Connections} connections");
}

/// <summary>Finds the repository root by walking up to SocketDaemon.sln.</summary>
public static class RepoRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SocketDaemon.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("cannot find SocketDaemon.sln above the current directory or the tool");
    }
}
