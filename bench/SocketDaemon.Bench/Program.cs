using System.Globalization;
using System.Text;
using SocketDaemon.Bench;

// dotnet run -c Release --project bench/SocketDaemon.Bench -- --connections 4 --messages 1000000 --size 64
//     --framing lines|seed|octet|native[,...] --transport unix|tcp[,...] --reference c,rsyslog,syslog-ng --out DIR
//     [--outputs syslog,postgres --postgres "Host=/run/postgresql;Database=bench;Username=bench"]
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource(options.TotalTimeout);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var root = RepoRoot.Find();
var work = Directory.CreateTempSubdirectory("sdbench-");
try
{
    var daemon = options.Daemon ?? await Servers.PublishDaemonAsync(root, work.FullName, cancel.Token);
    if (options.Scale)
    {
        var table = await Scale.RunAsync(daemon, work.FullName, options.IdleConnections, starts: 5, cancel.Token);
        Console.WriteLine();
        Console.WriteLine(table);
        Directory.CreateDirectory(options.Out);
        var scaleFile = Path.Combine(options.Out, $"scale-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.md");
        await File.WriteAllTextAsync(scaleFile, table, new UTF8Encoding(false), CancellationToken.None);
        Console.WriteLine($"wrote {scaleFile}");
        return 0;
    }

    var servers = new Servers(options, root, work.FullName, daemon);
    var results = new List<RunResult>();
    foreach (var transport in options.Transports)
    {
        foreach (var framing in options.Framings)
        {
            var scenario = new Scenario(framing, transport, options.Connections, options.Messages, options.Size);
            Console.WriteLine($"== {scenario}");
            var payloads = Load.Prepare(scenario);
            foreach (var target in options.References.Prepend("socketdaemon").Concat(options.Outputs.Select(o => "socketdaemon+" + o)))
            {
                cancel.Token.ThrowIfCancellationRequested();
                var result = await servers.RunAsync(target, scenario, payloads, cancel.Token);
                Console.WriteLine($"   {Report.Describe(result)}");
                results.Add(result);
            }
        }
    }

    var report = new Report(options, results);
    Console.WriteLine();
    Console.WriteLine(report.Markdown());
    Directory.CreateDirectory(options.Out);
    var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
    var md = Path.Combine(options.Out, $"bench-{stamp}.md");
    var json = Path.Combine(options.Out, $"bench-{stamp}.json");
    await File.WriteAllTextAsync(md, report.Markdown(), new UTF8Encoding(false), CancellationToken.None);
    await File.WriteAllTextAsync(json, report.Json(), new UTF8Encoding(false), CancellationToken.None);
    Console.WriteLine($"wrote {md} and {json}");
    return results.Any(r => r.Status == "failed") ? 1 : 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine($"sdbench: stopped after the total timeout of {options.TotalTimeout} (or Ctrl+C)");
    return 3;
}
finally
{
    if (!options.Keep)
    {
        try
        {
            work.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
